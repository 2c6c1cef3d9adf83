package dev.pitwall.gateway.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What serves behind a backend. All speak OpenAI's API; the kind names the dialect of their
 * metrics and errors, which load-aware routing and error mapping read.
 */
public enum BackendKind {
    @JsonProperty("openai-compatible") OPENAI_COMPATIBLE,
    @JsonProperty("vllm") VLLM,
    @JsonProperty("sglang") SGLANG,
    @JsonProperty("tgi") TGI,
    @JsonProperty("llamacpp") LLAMACPP,
    @JsonProperty("ollama") OLLAMA,
    @JsonProperty("openai") OPENAI
}
