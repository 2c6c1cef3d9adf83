package dev.pitwall.sim.engine;

import java.time.Duration;

/**
 * The time continuous batching takes on a simulated GPU. A step first prefills the prompts
 * admitted since the last step (time proportional to their tokens), then decodes one token for
 * every running request; the decode step grows with the batch because each request's KV cache
 * is read once per step.
 */
public record LatencyModel(EngineProfile profile) {

    public Duration prefill(long promptTokens) {
        return nanos(promptTokens / profile.prefillTokensPerSecond() * 1e9);
    }

    public Duration decodeStep(int running) {
        if (running <= 0) {
            return Duration.ZERO;
        }
        return nanos((profile.decodeStepMs() + profile.decodeMsPerRunningSequence() * (running - 1)) * 1e6);
    }

    /** One embeddings call of {@code inputTokens} in all, however many inputs it has. */
    public Duration embedding(long inputTokens) {
        return nanos(profile.embeddingCallMs() * 1e6 + inputTokens / profile.embeddingTokensPerSecond() * 1e9);
    }

    /** One engine step: prefill what was admitted, then decode everything running, slowed by a fault. */
    public Duration step(long admittedPromptTokens, int running, double slowdown) {
        Duration base = prefill(admittedPromptTokens).plus(decodeStep(running));
        return nanos(base.toNanos() * slowdown);
    }

    private static Duration nanos(double value) {
        return Duration.ofNanos(Math.round(value));
    }
}
