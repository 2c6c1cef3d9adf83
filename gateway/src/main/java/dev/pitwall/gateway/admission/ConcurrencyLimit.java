package dev.pitwall.gateway.admission;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.FixedLimit;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests in flight to a backend, held under a limit that one of Netflix concurrency-limits'
 * algorithms sets: fixed, or moved with the backend's latency. The gateway counts in-flight
 * requests itself and feeds the algorithm one sample per ended permit, as the library's own
 * {@code SimpleLimiter} does, so that the sample can be the latency that says something of the
 * backend's load (the first token of a stream).
 */
public final class ConcurrencyLimit implements Limiter {

    private final Limit algorithm;
    private final int floor;
    private final int ceiling;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param floor   the limit never goes below this, whatever the algorithm says
     * @param ceiling nor above this
     */
    public ConcurrencyLimit(Limit algorithm, int floor, int ceiling) {
        this.algorithm = algorithm;
        this.floor = floor;
        this.ceiling = ceiling;
    }

    /** At most {@code max} at once, whatever the backend's latency. */
    public static ConcurrencyLimit fixed(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("a concurrency limit is at least 1, not " + max);
        }
        return new ConcurrencyLimit(FixedLimit.of(max), max, max);
    }

    @Override
    public Optional<Permit> tryAcquire() {
        int current;
        do {
            current = inFlight.get();
            if (current >= limit()) {
                return Optional.empty();
            }
        } while (!inFlight.compareAndSet(current, current + 1));
        return Optional.of(new Sample(System.nanoTime(), current + 1));
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public int limit() {
        // Vegas has no floor of its own; the configured min-limit holds for every algorithm.
        return Math.clamp(algorithm.getLimit(), floor, ceiling);
    }

    /** One request's sample, taken once however the permit ends. */
    private final class Sample implements Permit {

        private final long startNanos;
        private final int inFlightAtStart;
        private boolean ended;

        Sample(long startNanos, int inFlightAtStart) {
            this.startNanos = startNanos;
            this.inFlightAtStart = inFlightAtStart;
        }

        @Override
        public void success(long latencyNanos) {
            if (end()) {
                algorithm.onSample(startNanos, Math.max(1, latencyNanos), inFlightAtStart, false);
            }
        }

        @Override
        public void ignore() {
            end();
        }

        @Override
        public void dropped() {
            if (end()) {
                algorithm.onSample(startNanos, System.nanoTime() - startNanos, inFlightAtStart, true);
            }
        }

        private boolean end() {
            if (ended) {
                return false;
            }
            ended = true;
            inFlight.decrementAndGet();
            return true;
        }
    }
}
