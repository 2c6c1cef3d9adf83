package dev.pitwall.gateway.sli;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals for one model or one backend since start, read by the console, which turns
 * them into rates by comparing two readings; and the time to first token's median and 99th
 * percentile over the last minute, which a mean of totals cannot give.
 */
public final class Totals {

    /** The window the time-to-first-token percentiles cover. */
    static final long WINDOW_NANOS = 60_000_000_000L;
    /** Samples kept at most in the window: a busy minute is summarised by its latest requests. */
    static final int WINDOW_SAMPLES = 10_000;

    /** Recent first tokens: {arrival nanoTime, time to first token in nanos}. */
    private final ConcurrentLinkedDeque<long[]> recentFirstTokens = new ConcurrentLinkedDeque<>();
    /** Their number: the deque's own size() walks every sample, which cost each streamed request 0.1-0.6 ms. */
    private final AtomicInteger recentCount = new AtomicInteger();

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
            recentFirstTokens.addLast(new long[] {System.nanoTime(), done.timeToFirstToken().toNanos()});
            if (recentCount.incrementAndGet() > WINDOW_SAMPLES) {
                dropOldest();
            }
        }
    }

    /** A consistent-enough copy for JSON: each field is read once. */
    public Snapshot snapshot() {
        long since = System.nanoTime() - WINDOW_NANOS;
        long[] oldest;
        // Samples arrive in time order, so the ones out of the window are at the head.
        while ((oldest = recentFirstTokens.peekFirst()) != null && oldest[0] < since) {
            dropOldest();
        }
        double[] window = recentFirstTokens.stream().mapToDouble(sample -> sample[1] / 1e9).sorted().toArray();
        return new Snapshot(requests.sum(), errors.sum(), firstTokens.sum(), firstTokenNanos.sum() / 1e9,
                percentile(window, 0.50), percentile(window, 0.99));
    }

    private void dropOldest() {
        if (recentFirstTokens.pollFirst() != null) {
            recentCount.decrementAndGet();
        }
    }

    /** Samples in the window now, at most {@link #WINDOW_SAMPLES}. */
    int windowSamples() {
        return recentFirstTokens.size();
    }

    /** The nearest-rank percentile of sorted values, or null when there are none. */
    static Double percentile(double[] sorted, double share) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(share * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    /**
     * @param errors               requests that failed on the serving side (not the client's fault)
     * @param firstTokenSecondsSum summed time to first token of the {@code firstTokens} streamed requests
     * @param firstTokenP50Seconds median time to first token over the last minute, null without a streamed request
     * @param firstTokenP99Seconds its 99th percentile
     */
    public record Snapshot(long requests, long errors, long firstTokens, double firstTokenSecondsSum,
                           Double firstTokenP50Seconds, Double firstTokenP99Seconds) {
    }
}
