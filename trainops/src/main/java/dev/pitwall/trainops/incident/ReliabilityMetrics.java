package dev.pitwall.trainops.incident;

import dev.pitwall.trainops.fleet.NodeSightings;
import dev.pitwall.trainops.signal.Severity;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.function.ToDoubleFunction;

/**
 * The reliability report's headline figures on {@code /metrics}, over the last 30 days, for the
 * Training reliability dashboard: failures, MTBF, failures per 1,000 node-days, time to detect
 * and to recover, goodput, and the incidents not yet resolved by severity. The report is
 * computed from the store at most once a minute, however often Prometheus scrapes; a figure
 * there is not enough data for is NaN, which Prometheus shows as a gap. The gauges hold this
 * object strongly: nothing else keeps it.
 */
public final class ReliabilityMetrics {

    static final Duration PERIOD = Duration.ofDays(30);
    static final Duration REFRESH = Duration.ofMinutes(1);

    private record Snapshot(Instant at, Reliability reliability, List<Incident> incidents) {
    }

    private final Incidents incidents;
    private final NodeSightings sightings;
    private final UtilizationStore utilization;
    private final Clock clock;
    private volatile Snapshot last;

    public ReliabilityMetrics(Incidents incidents, NodeSightings sightings, UtilizationStore utilization, Clock clock,
                              MeterRegistry registry) {
        this.incidents = incidents;
        this.sightings = sightings;
        this.utilization = utilization;
        this.clock = clock;
        gauge(registry, "pitwall.reliability.failures", "Incidents detected over the last 30 days", null,
                r -> r.failures());
        gauge(registry, "pitwall.reliability.mtbf", "Mean time between failures of the cluster, last 30 days", "hours",
                r -> orNaN(r.mtbfHours()));
        gauge(registry, "pitwall.reliability.failures.per.1000.node.days",
                "Failures per 1,000 node-days observed, last 30 days", null, r -> orNaN(r.failuresPer1000NodeDays()));
        gauge(registry, "pitwall.reliability.node.days", "Node-days observed, last 30 days", null, r -> r.nodeDays());
        gauge(registry, "pitwall.reliability.goodput", "Share of the last 30 days not lost to incidents", "ratio",
                r -> r.goodputPct() / 100);
        for (String stat : List.of("mean", "p50", "p90", "max")) {
            Gauge.builder("pitwall.reliability.time.to.detect", this, m -> stat(m.reliability().timeToDetect(), stat))
                    .description("From a fault showing on its node to its incident, last 30 days").baseUnit("seconds")
                    .tag("stat", stat).strongReference(true).register(registry);
            Gauge.builder("pitwall.reliability.time.to.recover", this, m -> stat(m.reliability().timeToRecover(), stat))
                    .description("From an incident's detection to training running again, last 30 days")
                    .baseUnit("seconds").tag("stat", stat).strongReference(true).register(registry);
        }
        for (Severity severity : Severity.values()) {
            String label = severity.name().toLowerCase(Locale.ROOT);
            Gauge.builder("pitwall.incidents.open", this, m -> m.snapshot().incidents().stream()
                            .filter(i -> i.state() != Incident.State.RESOLVED && severity.name().equals(i.severity()))
                            .count())
                    .description("Incidents of the last 30 days not yet resolved, by severity").tag("severity", label)
                    .strongReference(true).register(registry);
        }
    }

    private void gauge(MeterRegistry registry, String name, String description, String unit,
                       ToDoubleFunction<Reliability> figure) {
        Gauge.Builder<ReliabilityMetrics> builder = Gauge.builder(name, this, m -> figure.applyAsDouble(m.reliability()))
                .description(description).strongReference(true);
        if (unit != null) {
            builder.baseUnit(unit);
        }
        builder.register(registry);
    }

    private Reliability reliability() {
        return snapshot().reliability();
    }

    private Snapshot snapshot() {
        Instant now = clock.instant();
        Snapshot known = last;
        if (known != null && Duration.between(known.at(), now).compareTo(REFRESH) < 0) {
            return known;
        }
        Instant from = now.minus(PERIOD);
        List<Incident> recent = incidents.detectedBetween(from, now);
        Snapshot fresh = new Snapshot(now, Reliability.of(recent, from, now, sightings.observed(from, now),
                OptionalInt.empty(), utilization.between(from, now)), recent);
        last = fresh;
        return fresh;
    }

    private static double stat(Reliability.Distribution d, String stat) {
        Double value = switch (stat) {
            case "mean" -> d.meanSeconds();
            case "p50" -> d.p50Seconds();
            case "p90" -> d.p90Seconds();
            default -> d.maxSeconds();
        };
        return orNaN(value);
    }

    private static double orNaN(Double value) {
        return value == null ? Double.NaN : value;
    }
}
