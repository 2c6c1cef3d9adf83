package dev.pitwall.sim.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One generation request inside the simulated engine. The scheduler emits its tokens one per
 * decode step; the HTTP handler takes them as they come. The whole answer is known at
 * submission (it is drawn from a seeded generator), so the request's KV footprint is too.
 */
final class SimRequest {

    /** One emitted token; {@code last} marks the end of the answer. */
    record Token(String text, boolean last) {
    }

    final long promptTokens;
    final List<String> output;
    final List<TextSource.Logprob> logprobs;
    final String finishReason;
    final long submittedNanos;
    final BlockingQueue<Token> emitted = new LinkedBlockingQueue<>();
    volatile boolean cancelled;
    int produced;
    long lastTokenNanos;

    SimRequest(long promptTokens, TextSource.Answer answer, long submittedNanos) {
        this.promptTokens = promptTokens;
        this.output = answer.tokens();
        this.logprobs = answer.logprobs();
        this.finishReason = answer.finishReason();
        this.submittedNanos = submittedNanos;
    }

    /** Tokens of KV cache the request holds while running. */
    long kvTokens() {
        return promptTokens + output.size();
    }

    /** The next token, or null when none came within {@code timeout}. */
    Token next(Duration timeout) throws InterruptedException {
        return emitted.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The client went away: the scheduler drops the request at its next step. */
    void cancel() {
        cancelled = true;
    }
}
