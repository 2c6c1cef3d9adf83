package dev.pitwall.gateway.sli;

import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals for one model or one backend since start, read by the console, which turns
 * them into rates by comparing two readings.
 */
public final class Totals {

    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder firstTokens = new LongAdder();
    private final LongAdder firstTokenNanos = new LongAdder();

    void add(RequestObservation done) {
        requests.increment();
        if (done.outcome().serverSideFailure()) {
            errors.increment();
        }
        if (done.timeToFirstToken() != null) {
            firstTokens.increment();
            firstTokenNanos.add(done.timeToFirstToken().toNanos());
        }
    }

    /** A consistent-enough copy for JSON: each field is read once. */
    public Snapshot snapshot() {
        return new Snapshot(requests.sum(), errors.sum(), firstTokens.sum(), firstTokenNanos.sum() / 1e9);
    }

    /**
     * @param errors               requests that failed on the serving side (not the client's fault)
     * @param firstTokenSecondsSum summed time to first token of the {@code firstTokens} streamed requests
     */
    public record Snapshot(long requests, long errors, long firstTokens, double firstTokenSecondsSum) {
    }
}
