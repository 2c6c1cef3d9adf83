package dev.pitwall.gateway.routing;

import dev.pitwall.gateway.admission.AdmissionQueue;
import dev.pitwall.gateway.breaker.Ejection;
import dev.pitwall.gateway.breaker.QualityBreaker;
import dev.pitwall.gateway.config.BackendConfig;
import java.time.Duration;
import java.util.Map;

/**
 * A configured backend and what the gateway knows of it right now: its admission (a limiter,
 * and so its requests in flight, and the queue of requests waiting for a place), its health and load as the {@link BackendMonitor} last saw them,
 * and whether passive outlier detection has ejected it after consecutive failures.
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
    private final AdmissionQueue admission;
    private final Ejection ejection;
    private final Map<String, QualityBreaker> breakers;
    private volatile boolean healthy = true;
    private volatile EngineLoad engineLoad;

    /** @param breakers a quality breaker for each of its models, by the model's own name */
    public Backend(BackendConfig config, AdmissionQueue admission, Ejection ejection,
                   Map<String, QualityBreaker> breakers) {
        this.config = config;
        this.admission = admission;
        this.ejection = ejection;
        this.breakers = Map.copyOf(breakers);
    }

    public BackendConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** Admits requests to this backend, or queues or sheds them. */
    public AdmissionQueue admission() {
        return admission;
    }

    /** What passive outlier detection knows of this backend. */
    public Ejection ejection() {
        return ejection;
    }

    /** The quality breaker of {@code model}, one of this backend's own model names. */
    public QualityBreaker breaker(String model) {
        return breakers.get(model);
    }

    /** Every model's breaker, by model. */
    public Map<String, QualityBreaker> breakers() {
        return breakers;
    }

    public int inFlight() {
        return admission.limiter().inFlight();
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

    /** Worth a first try: healthy and not ejected. */
    public boolean available(long nowNanos) {
        return healthy && !ejection.ejected(nowNanos);
    }

    /**
     * Higher is more attractive. Load is the gateway's own in-flight count, or, while the
     * engine's report is fresh, its running plus waiting requests when that is more; waiting
     * requests count twice because each still has its prefill ahead. A filling KV cache scales
     * the attraction down, since new requests there will queue.
     */
    double attraction(long nowNanos, Duration freshFor) {
        double load = admission.limiter().inFlight() + admission.queued();
        double kvFactor = 1;
        EngineLoad reported = engineLoad;
        if (reported != null && nowNanos - reported.seenAtNanos() <= freshFor.toNanos()) {
            load = Math.max(load, reported.running() + reported.waiting()) + reported.waiting();
            kvFactor = 1 - Math.min(reported.kvUsage(), 0.95);
        }
        return config.weight() * kvFactor / (load + 1);
    }
}
