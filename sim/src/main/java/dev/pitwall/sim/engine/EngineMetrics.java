package dev.pitwall.sim.engine;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The simulated engine's {@code /metrics}, under vLLM's metric names and labels so that
 * anything that reads a vLLM server (Pitwall's router, Grafana dashboards) reads this one.
 * Names follow vLLM's production metrics (V1 engine), with the older
 * {@code vllm:gpu_cache_usage_perc} kept beside {@code vllm:kv_cache_usage_perc}.
 */
final class EngineMetrics {

    /** vLLM's own bucket bounds for request latencies (seconds). */
    private static final double[] LATENCY_BUCKETS = {
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0
    };
    private static final double[] TOKEN_GAP_BUCKETS = {
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final String model;
    final Gauge running;
    final Gauge waiting;
    final Gauge kvUsage;
    final Gauge gpuCacheUsage;
    final Histogram timeToFirstToken;
    final Histogram interTokenLatency;
    final Histogram endToEnd;
    final Histogram queueTime;
    final Counter promptTokens;
    final Counter generationTokens;
    final Counter requestSuccess;

    EngineMetrics(String model) {
        this.model = model;
        running = Gauge.builder().name("vllm:num_requests_running").help("Requests in the running batch.")
                .labelNames("model_name").register(registry);
        waiting = Gauge.builder().name("vllm:num_requests_waiting").help("Requests waiting to be admitted.")
                .labelNames("model_name").register(registry);
        kvUsage = Gauge.builder().name("vllm:kv_cache_usage_perc").help("KV-cache usage, 1 means full.")
                .labelNames("model_name").register(registry);
        gpuCacheUsage = Gauge.builder().name("vllm:gpu_cache_usage_perc")
                .help("KV-cache usage, 1 means full (name of older vLLM releases).")
                .labelNames("model_name").register(registry);
        timeToFirstToken = histogram("vllm:time_to_first_token_seconds", "Time to first token.", LATENCY_BUCKETS);
        interTokenLatency = histogram("vllm:inter_token_latency_seconds", "Time between output tokens.", TOKEN_GAP_BUCKETS);
        endToEnd = histogram("vllm:e2e_request_latency_seconds", "Request latency, arrival to last token.", LATENCY_BUCKETS);
        queueTime = histogram("vllm:request_queue_time_seconds", "Time spent waiting for admission.", LATENCY_BUCKETS);
        promptTokens = Counter.builder().name("vllm:prompt_tokens").help("Prompt tokens processed.")
                .labelNames("model_name").register(registry);
        generationTokens = Counter.builder().name("vllm:generation_tokens").help("Tokens generated.")
                .labelNames("model_name").register(registry);
        requestSuccess = Counter.builder().name("vllm:request_success").help("Requests finished.")
                .labelNames("model_name", "finished_reason").register(registry);
        for (Gauge gauge : new Gauge[] {running, waiting, kvUsage, gpuCacheUsage}) {
            gauge.labelValues(model).set(0);
        }
    }

    private Histogram histogram(String name, String help, double[] buckets) {
        return Histogram.builder().name(name).help(help).classicOnly().classicUpperBounds(buckets)
                .labelNames("model_name").register(registry);
    }

    void observeBatch(int runningCount, int waitingCount, double kvFraction) {
        running.labelValues(model).set(runningCount);
        waiting.labelValues(model).set(waitingCount);
        kvUsage.labelValues(model).set(kvFraction);
        gpuCacheUsage.labelValues(model).set(kvFraction);
    }

    void observe(Histogram histogram, double seconds) {
        histogram.labelValues(model).observe(seconds);
    }

    void count(Counter counter, long amount) {
        counter.labelValues(model).inc(amount);
    }

    void finished(String reason) {
        requestSuccess.labelValues(model, reason).inc();
    }

    void write(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
    }
}
