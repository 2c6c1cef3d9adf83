package dev.pitwall.gateway.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;

/**
 * What serves behind a backend. All speak OpenAI's API; the kind says where their health check
 * and Prometheus metrics are, and which series give queue depth, running requests and
 * KV-cache usage, so that routing can see load the gateway did not send.
 */
public enum BackendKind {
    @JsonProperty("openai-compatible") OPENAI_COMPATIBLE("/v1/models", null),
    // vLLM's production metrics (docs.vllm.ai, "Production Metrics").
    @JsonProperty("vllm") VLLM("/health", new LoadSeries("/metrics",
            "vllm:num_requests_waiting", "vllm:num_requests_running", "vllm:kv_cache_usage_perc",
            "vllm:gpu_cache_usage_perc")),
    // SGLang's metrics (docs.sglang.ai, "Production Metrics").
    @JsonProperty("sglang") SGLANG("/health", new LoadSeries("/metrics",
            "sglang:num_queue_reqs", "sglang:num_running_reqs", "sglang:token_usage", null)),
    // Text Generation Inference's metrics (huggingface.co/docs/text-generation-inference, "Metrics").
    @JsonProperty("tgi") TGI("/health", new LoadSeries("/metrics",
            "tgi_queue_size", "tgi_batch_current_size", null, null)),
    @JsonProperty("llamacpp") LLAMACPP("/health", null),
    @JsonProperty("ollama") OLLAMA("/v1/models", null),
    @JsonProperty("openai") OPENAI("/v1/models", null);

    /**
     * Where a kind's load shows in its Prometheus metrics.
     *
     * @param waiting          requests queued for admission
     * @param running          requests being decoded
     * @param kvUsage          KV-cache usage as a fraction, or null
     * @param kvUsageOlderName the same under an older release's name, or null
     */
    public record LoadSeries(String path, String waiting, String running, String kvUsage, String kvUsageOlderName) {
    }

    private final String healthPath;
    private final LoadSeries load;

    BackendKind(String healthPath, LoadSeries load) {
        this.healthPath = healthPath;
        this.load = load;
    }

    /** Path of the health check, from the server's root (not under {@code /v1}). */
    public String healthPath() {
        return healthPath;
    }

    public Optional<LoadSeries> load() {
        return Optional.ofNullable(load);
    }
}
