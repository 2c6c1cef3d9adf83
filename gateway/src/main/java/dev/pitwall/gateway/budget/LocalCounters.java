package dev.pitwall.gateway.budget;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Budgets counted in this process. As the fallback of {@link SharedCounters} each replica
 * counts a {@code share} of every budget, so that N replicas together admit about one budget.
 */
public final class LocalCounters implements BudgetCounters {

    private static final double MINUTE_MILLIS = 60_000;

    private final double share;
    private final LongSupplier millis;
    private final Map<String, Buckets> buckets = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> streams = new ConcurrentHashMap<>();

    /** @param share the part of each budget this process may use (1: all of it) */
    public LocalCounters(double share, LongSupplier millis) {
        this.share = share;
        this.millis = millis;
    }

    @Override
    public Verdict take(TenantBudget budget, long tokens) {
        Buckets b = buckets.computeIfAbsent(budget.name(), k -> new Buckets());
        double rpm = budget.rpm() * share;
        double tpm = budget.tpm() * share;
        synchronized (b) {
            long now = millis.getAsLong();
            double requestsLeft = b.requests.refill(rpm, now);
            double tokensLeft = b.tokens.refill(tpm, now);
            String denied = null;
            double waitMillis = 0;
            if (rpm > 0 && requestsLeft < 1) {
                denied = "requests";
                waitMillis = (1 - requestsLeft) * MINUTE_MILLIS / rpm;
            } else if (tpm > 0 && tokensLeft < tokens) {
                denied = "tokens";
                waitMillis = (tokens - tokensLeft) * MINUTE_MILLIS / tpm;
            }
            if (denied == null) {
                b.requests.level -= rpm > 0 ? 1 : 0;
                b.tokens.level -= tpm > 0 ? tokens : 0;
            }
            return new Verdict(denied, (long) Math.floor(Math.max(0, b.requests.level)), b.requests.resetMillis(rpm),
                    (long) Math.floor(Math.max(0, b.tokens.level)), b.tokens.resetMillis(tpm), (long) Math.ceil(waitMillis));
        }
    }

    @Override
    public void adjust(TenantBudget budget, long tokens) {
        double tpm = budget.tpm() * share;
        if (tpm <= 0 || tokens == 0) {
            return;
        }
        Buckets b = buckets.computeIfAbsent(budget.name(), k -> new Buckets());
        synchronized (b) {
            b.tokens.refill(tpm, millis.getAsLong());
            b.tokens.level = Math.min(tpm, b.tokens.level - tokens);
        }
    }

    @Override
    public Optional<StreamSlot> openStream(TenantBudget budget) {
        int max = Math.max(1, (int) Math.floor(budget.maxStreams() * share));
        AtomicInteger open = streams.computeIfAbsent(budget.name(), k -> new AtomicInteger());
        int now;
        do {
            now = open.get();
            if (now >= max) {
                return Optional.empty();
            }
        } while (!open.compareAndSet(now, now + 1));
        return Optional.of(new Slot(open));
    }

    @Override
    public void close() {
        // nothing held outside memory
    }

    /** A tenant's two buckets; guarded by itself. */
    private static final class Buckets {
        final Bucket requests = new Bucket();
        final Bucket tokens = new Bucket();
    }

    /** Fills at {@code capacity} a minute up to {@code capacity}; full when first seen. */
    private static final class Bucket {
        double level = Double.NaN;
        long atMillis;

        double refill(double capacity, long now) {
            if (capacity <= 0) {
                level = 0;
            } else if (Double.isNaN(level)) {
                level = capacity;
            } else {
                level = Math.min(capacity, level + (now - atMillis) * capacity / MINUTE_MILLIS);
            }
            atMillis = now;
            return level;
        }

        long resetMillis(double capacity) {
            return capacity <= 0 ? 0 : (long) Math.ceil((capacity - level) * MINUTE_MILLIS / capacity);
        }
    }

    private static final class Slot implements StreamSlot {
        private final AtomicInteger open;
        private boolean closed;

        Slot(AtomicInteger open) {
            this.open = open;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                open.decrementAndGet();
            }
        }
    }
}
