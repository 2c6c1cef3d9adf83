package dev.pitwall.gateway.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a backend's concurrency limit is set. */
public enum LimitAlgorithm {
    /** {@code max-in-flight}, whatever the backend's latency. */
    @JsonProperty("fixed") FIXED,
    /**
     * Netflix's Gradient2: the limit follows the ratio of the long-term to the short-term
     * latency, so it shrinks as soon as the backend starts queueing and grows while latency stays flat.
     */
    @JsonProperty("gradient2") GRADIENT2,
    /**
     * Netflix's Vegas (after TCP Vegas): estimates the requests queued at the backend from the
     * latency above the lowest seen, and keeps that queue between {@code alpha} and {@code beta}.
     */
    @JsonProperty("vegas") VEGAS
}
