package dev.pitwall.gateway.breaker;

import dev.pitwall.core.audit.AuditLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every move of a quality breaker goes: the log, the audit log (actor {@code gateway}),
 * a counter by backend, model and state reached, and the recent moves the Serving page shows;
 * and each breaker's state as a gauge.
 */
public final class BreakerEvents implements Consumer<QualityBreaker.Transition> {

    private static final Logger LOG = LoggerFactory.getLogger(BreakerEvents.class);
    private static final int RECENT = 50;

    private final AuditLog audit;
    private final MeterRegistry registry;
    private final ArrayDeque<QualityBreaker.Transition> recent = new ArrayDeque<>();

    public BreakerEvents(AuditLog audit, MeterRegistry registry) {
        this.audit = audit;
        this.registry = registry;
    }

    @Override
    public void accept(QualityBreaker.Transition t) {
        // The page's list first: the audit log below writes to the store and takes milliseconds.
        synchronized (recent) {
            recent.addFirst(t);
            if (recent.size() > RECENT) {
                recent.removeLast();
            }
        }
        String evidence = describe(t.evidence());
        String line = "backend " + t.backend() + " for " + t.model() + ": " + t.from().label() + " → " + t.to().label()
                + " (" + t.why() + "; " + evidence + ")";
        if (t.to() == QualityBreaker.State.DEGRADED || t.to() == QualityBreaker.State.OPEN) {
            LOG.warn("Quality breaker: {}", line);
        } else {
            LOG.info("Quality breaker: {}", line);
        }
        audit.record("gateway", "breaker." + t.to().label(), "backend " + t.backend() + ", model " + t.model(),
                t.why() + "; " + evidence);
        Counter.builder("pitwall.gateway.breaker.transitions").description("Moves of the quality-aware circuit breaker")
                .tags("backend", t.backend(), "model", t.model(), "to", t.to().label()).register(registry).increment();
    }

    /** Shows {@code breaker}'s state on {@code /metrics}: 0 closed, 1 degraded, 2 open, 3 half-open. */
    public void watch(QualityBreaker breaker) {
        Gauge.builder("pitwall.gateway.breaker.state", breaker, b -> b.state(System.nanoTime()).ordinal())
                .description("Quality breaker: 0 closed, 1 degraded, 2 open, 3 half-open")
                .tags("backend", breaker.backend(), "model", breaker.model())
                .register(registry);
    }

    /** The latest moves, newest first. */
    public List<QualityBreaker.Transition> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    static String describe(QualityBreaker.Evidence e) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%d bad, %d failed of %d", e.bad(), e.failed(),
                e.samples()));
        if (!Double.isNaN(e.meanCharEntropy())) {
            out.append(String.format(Locale.ROOT, ", %.2f bits/char", e.meanCharEntropy()));
        }
        if (!Double.isNaN(e.meanTokenEntropy())) {
            out.append(String.format(Locale.ROOT, ", token entropy %.2f", e.meanTokenEntropy()));
        }
        if (!e.lastFault().isEmpty()) {
            out.append(", last: ").append(e.lastFault());
        }
        return out.toString();
    }
}
