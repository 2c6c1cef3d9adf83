package dev.pitwall.gateway.config;

import dev.pitwall.core.config.ConfigProblem;
import java.time.Duration;

/**
 * Micro-batching of {@code /v1/embeddings}: concurrent calls for one model merged into one
 * upstream call. A call goes at once while the model has fewer than {@code maxConcurrent}
 * merged calls in flight; otherwise it waits for one to return (so batches grow with load and
 * the wait follows the backend's latency), but never longer than {@code maxWait}.
 *
 * @param enabled       whether calls are merged at all
 * @param maxBatch      inputs in one upstream call at most
 * @param maxWait       the longest a call waits to be merged
 * @param maxConcurrent merged calls in flight at once per model
 */
public record BatchingConfig(Boolean enabled, Integer maxBatch, Duration maxWait, Integer maxConcurrent) {

    public BatchingConfig {
        enabled = enabled == null || enabled;
        maxBatch = maxBatch == null ? 64 : maxBatch;
        maxWait = maxWait == null ? Duration.ofMillis(20) : maxWait;
        maxConcurrent = maxConcurrent == null ? 2 : maxConcurrent;
        ConfigProblem.inRange("max-batch", maxBatch, 1, 2048, "an input count (OpenAI allows 2048 in one call)");
        ConfigProblem.positive("max-wait", maxWait);
        ConfigProblem.inRange("max-concurrent", maxConcurrent, 1, 1000, "a call count");
    }

    public static BatchingConfig defaults() {
        return new BatchingConfig(null, null, null, null);
    }

    public static BatchingConfig off() {
        return new BatchingConfig(false, null, null, null);
    }
}
