package dev.pitwall.trainops.incident;

import dev.pitwall.core.catalog.ClusterMetric;
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
        gauge(registry, ClusterMetric.MTBF, r -> orNaN(r.mtbfHours()));
        gauge(registry, ClusterMetric.NODE_FAILURE_RATE, r -> orNaN(r.failuresPer1000NodeDays()));
        gauge(registry, "pitwall.reliability.node.days", "Node-days observed, last 30 days", null, r -> r.nodeDays());
        gauge(registry, ClusterMetric.GOODPUT, r -> r.goodputPct() / 100);
        for (String stat : List.of("mean", "p50", "p90", "max")) {
            gauge(registry, ClusterMetric.TIME_TO_DETECT, stat, r -> stat(r.timeToDetect(), stat));
            gauge(registry, ClusterMetric.TIME_TO_RECOVER, stat, r -> stat(r.timeToRecover(), stat));
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

    /** A catalog metric's gauge, its name and unit from the catalog, over the last 30 days. */
    private void gauge(MeterRegistry registry, ClusterMetric metric, ToDoubleFunction<Reliability> figure) {
        gauge(registry, metric.meter().orElseThrow(), metric.title() + ", last 30 days", metric.meterUnit().orElse(null),
                figure);
    }

    /** One statistic (tag {@code stat}) of a catalog metric's distribution. */
    private void gauge(MeterRegistry registry, ClusterMetric metric, String stat, ToDoubleFunction<Reliability> figure) {
        Gauge.builder(metric.meter().orElseThrow(), this, m -> figure.applyAsDouble(m.reliability()))
                .description(metric.title() + ", last 30 days").baseUnit(metric.meterUnit().orElse(null))
                .tag("stat", stat).strongReference(true).register(registry);
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
