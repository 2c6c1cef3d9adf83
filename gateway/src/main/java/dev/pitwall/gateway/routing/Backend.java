package dev.pitwall.gateway.routing;

import dev.pitwall.gateway.config.BackendConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A configured backend and what the gateway knows of it right now: its requests in flight,
 * its health and load as the {@link BackendMonitor} last saw them, and whether passive outlier
 * detection has ejected it after consecutive failures.
 */
public final class Backend {

    /**
     * Load the engine itself reports, which includes traffic from other gateways and clients.
     *
     * @param kvUsage KV-cache usage from 0 to 1, or 0 when the engine does not say
     */
    public record EngineLoad(double waiting, double running, double kvUsage, long seenAtNanos) {
    }

    private final BackendConfig config;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile boolean healthy = true;
    private volatile EngineLoad engineLoad;
    /** When the current ejection ends (System.nanoTime), or null while the backend was never ejected. */
    private volatile Long ejectedUntilNanos;

    public Backend(BackendConfig config) {
        this.config = config;
    }

    public BackendConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Takes one of the backend's in-flight slots; false when all {@code max-in-flight} are taken. */
    public boolean tryAcquire() {
        int current;
        do {
            current = inFlight.get();
            if (current >= config.maxInFlight()) {
                return false;
            }
        } while (!inFlight.compareAndSet(current, current + 1));
        return true;
    }

    public void release() {
        inFlight.decrementAndGet();
    }

    public boolean healthy() {
        return healthy;
    }

    void healthy(boolean now) {
        healthy = now;
    }

    /** The last load the engine reported, or null when it reports none. */
    public EngineLoad engineLoad() {
        return engineLoad;
    }

    void engineLoad(EngineLoad load) {
        engineLoad = load;
    }

    /** A request it answered: the failure streak is over. */
    public void succeeded() {
        consecutiveFailures.set(0);
    }

    /** A request it failed: after {@code ejectAfter} in a row it is left out for {@code ejection}. */
    public void failed(long nowNanos, int ejectAfter, Duration ejection) {
        if (consecutiveFailures.incrementAndGet() >= ejectAfter) {
            ejectedUntilNanos = nowNanos + ejection.toNanos();
        }
    }

    /** Worth a first try: healthy and not ejected. */
    public boolean available(long nowNanos) {
        Long until = ejectedUntilNanos;
        return healthy && (until == null || nowNanos - until >= 0);
    }

    /**
     * Higher is more attractive. Load is the gateway's own in-flight count, or, while the
     * engine's report is fresh, its running plus waiting requests when that is more; waiting
     * requests count twice because each still has its prefill ahead. A filling KV cache scales
     * the attraction down, since new requests there will queue.
     */
    double attraction(long nowNanos, Duration freshFor) {
        double load = inFlight.get();
        double kvFactor = 1;
        EngineLoad reported = engineLoad;
        if (reported != null && nowNanos - reported.seenAtNanos() <= freshFor.toNanos()) {
            load = Math.max(load, reported.running() + reported.waiting()) + reported.waiting();
            kvFactor = 1 - Math.min(reported.kvUsage(), 0.95);
        }
        return config.weight() * kvFactor / (load + 1);
    }
}
