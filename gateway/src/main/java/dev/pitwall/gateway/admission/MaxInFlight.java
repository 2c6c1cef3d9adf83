package dev.pitwall.gateway.admission;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A fixed limit: at most {@code max-in-flight} requests at a backend at once, whatever their outcome. */
public final class MaxInFlight implements Limiter {

    private final int max;
    private final AtomicInteger inFlight = new AtomicInteger();

    public MaxInFlight(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max-in-flight must be at least 1, not " + max);
        }
        this.max = max;
    }

    @Override
    public Optional<Permit> tryAcquire() {
        int current;
        do {
            current = inFlight.get();
            if (current >= max) {
                return Optional.empty();
            }
        } while (!inFlight.compareAndSet(current, current + 1));
        return Optional.of(new Slot());
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public int limit() {
        return max;
    }

    /** Gives its place back once, however it is ended; used by its request's thread only. */
    private final class Slot implements Permit {

        private boolean ended;

        @Override
        public void success(long latencyNanos) {
            release();
        }

        @Override
        public void ignore() {
            release();
        }

        @Override
        public void dropped() {
            release();
        }

        private void release() {
            if (!ended) {
                ended = true;
                inFlight.decrementAndGet();
            }
        }
    }
}
