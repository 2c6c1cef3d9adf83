package dev.pitwall.server.report;

import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.verdict.NodeFigures;
import dev.pitwall.core.catalog.ClusterMetric;
import dev.pitwall.core.catalog.GpuCatalog;
import dev.pitwall.core.catalog.GpuSpec;
import dev.pitwall.core.report.Document;
import dev.pitwall.core.storage.Database;
import dev.pitwall.trainops.fleet.NodeSightings;
import dev.pitwall.trainops.incident.Incidents;
import dev.pitwall.trainops.incident.Reliability;
import dev.pitwall.trainops.ingest.NodeInventory;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The metric design report: every cluster metric in {@link ClusterMetric} with its formula,
 * source, unit and where it is shown, and, where a store is given, its value now: theoretical
 * cluster TFLOPS from the GPU catalog × the nodes' inventory, effective TFLOPS from the newest
 * HPL-MxP results, the reliability and utilisation figures of the last 30 days.
 */
public final class MetricDesignReport {

    /**
     * The cluster's theoretical peak.
     *
     * @param byModel GPUs of each catalog model counted
     * @param unknown GPU names the catalog has no entry (or no figure at the precision) for, with their count
     */
    public record Theoretical(String precision, double tflops, int nodes, int gpus, Map<String, Integer> byModel,
                              Map<String, Integer> unknown) {
    }

    /** What the store holds now; each part absent when there is nothing to compute it from. */
    public record Now(Optional<Theoretical> theoretical, Optional<AcceptanceRuns.NodeFigure> effective,
                      Optional<Reliability> reliability) {

        public static final Now NOTHING = new Now(Optional.empty(), Optional.empty(), Optional.empty());
    }

    private MetricDesignReport() {
    }

    /** What the store holds now: inventory, the newest HPL-MxP results, the last 30 days' reliability. */
    public static Now now(Database database, Clock clock, String precision) {
        Instant to = clock.instant();
        Instant from = to.minus(Duration.ofDays(30));
        Reliability reliability = Reliability.of(Incidents.reading(database, clock).detectedBetween(from, to), from, to,
                new NodeSightings(database).observed(from, to), OptionalInt.empty(),
                new UtilizationStore(database).between(from, to));
        return new Now(theoretical(new NodeInventory(database, clock).all(), GpuCatalog.builtIn(), precision),
                new AcceptanceRuns(database, clock).newestFigure(NodeFigures.HPL_MXP_GFLOPS), Optional.of(reliability));
    }

    /** Sums the catalog's peak at {@code precision} over every GPU of the nodes' inventory; empty without one. */
    public static Optional<Theoretical> theoretical(List<NodeInventory.Node> nodes, GpuCatalog catalog, String precision) {
        Map<String, Integer> byModel = new TreeMap<>();
        Map<String, Integer> unknown = new TreeMap<>();
        double tflops = 0;
        int gpus = 0;
        for (NodeInventory.Node node : nodes) {
            for (Map<String, Object> gpu : node.gpus()) {
                String name = String.valueOf(gpu.getOrDefault("product_name", "unnamed GPU"));
                Optional<GpuSpec> spec = catalog.find(name);
                Optional<Double> peak = spec.flatMap(s -> s.peakTflops(precision));
                gpus++;
                if (peak.isPresent()) {
                    tflops += peak.get();
                    byModel.merge(spec.get().name(), 1, Integer::sum);
                } else {
                    unknown.merge(name, 1, Integer::sum);
                }
            }
        }
        return gpus == 0 ? Optional.empty()
                : Optional.of(new Theoretical(precision.toLowerCase(Locale.ROOT), tflops, nodes.size(), gpus, byModel,
                        unknown));
    }

    /** The metric's value now, as shown; empty when the store has nothing for it or it is a per-run figure. */
    static Optional<String> value(ClusterMetric metric, Now now) {
        Optional<Reliability> r = now.reliability();
        return switch (metric) {
            case THEORETICAL_TFLOPS -> now.theoretical().map(t -> String.format(Locale.ROOT, "%,.0f TFLOPS (%s, %d GPUs "
                    + "on %d nodes%s)", t.tflops(), t.precision(), t.gpus(), t.nodes(), t.unknown().isEmpty() ? ""
                    : "; not counted: " + t.unknown()));
            case EFFECTIVE_TFLOPS -> now.effective().map(e -> String.format(Locale.ROOT, "%,.1f TFLOPS (%d nodes, "
                            + "acceptance run %d %s)", effectiveTflops(e), e.byNode().size(), e.runId(), e.runName()));
            case PHYSICAL_UTILIZATION -> r.map(Reliability::physicalUtilizationPct).map(v -> percent(v));
            case LOGICAL_UTILIZATION -> r.map(Reliability::logicalUtilizationPct).map(v -> percent(v));
            case MTBF -> r.map(Reliability::mtbfHours).map(v -> hours(v));
            case MTBF_PER_NODE -> r.map(Reliability::mtbfHoursPerNode).map(v -> hours(v));
            case NODE_FAILURE_RATE -> r.map(Reliability::failuresPer1000NodeDays)
                    .map(v -> String.format(Locale.ROOT, "%.2f", v));
            case TIME_TO_DETECT -> r.map(Reliability::timeToDetect).flatMap(MetricDesignReport::distribution);
            case TIME_TO_RECOVER -> r.map(Reliability::timeToRecover).flatMap(MetricDesignReport::distribution);
            case GOODPUT -> r.map(x -> percent(x.goodputPct()));
            case HPL_MXP_EFFICIENCY, HPL_EFFICIENCY, BUS_BANDWIDTH, SCALING_EFFICIENCY -> Optional.empty();
        };
    }

    static double effectiveTflops(AcceptanceRuns.NodeFigure hplMxp) {
        return hplMxp.byNode().values().stream().mapToDouble(Double::doubleValue).sum() / 1000;
    }

    public static Document document(Now now) {
        List<Document.Section> sections = new ArrayList<>();
        List<Document.Fact> facts = new ArrayList<>();
        now.theoretical().ifPresent(t -> facts.add(new Document.Fact("Theoretical (" + t.precision() + ")",
                value(ClusterMetric.THEORETICAL_TFLOPS, now).orElseThrow())));
        now.effective().ifPresent(e -> facts.add(new Document.Fact("Effective (HPL-MxP)",
                value(ClusterMetric.EFFECTIVE_TFLOPS, now).orElseThrow())));
        if (now.theoretical().isPresent() && now.effective().isPresent() && now.theoretical().get().tflops() > 0) {
            facts.add(new Document.Fact("Effective ÷ theoretical", String.format(Locale.ROOT, "%.1f %%",
                    100 * effectiveTflops(now.effective().get()) / now.theoretical().get().tflops())));
        }
        if (!facts.isEmpty()) {
            sections.add(new Document.Facts("The cluster's compute", facts));
        }
        List<List<String>> rows = new ArrayList<>();
        for (ClusterMetric m : ClusterMetric.values()) {
            rows.add(List.of(m.title(), m.unit(), m.formula(), m.source(), String.join("; ", m.shownIn()),
                    value(m, now).orElse("")));
        }
        sections.add(new Document.Table("Metrics", List.of("metric", "unit", "formula", "source", "shown in", "now"),
                rows));
        if (now.reliability().isEmpty()) {
            sections.add(new Document.Note("Values", "No store was read, so no metric has a value here: give the "
                    + "server's --data-dir or --config."));
        }
        return new Document("Metric design", "Every cluster metric Pitwall computes or reads: its formula, source, unit "
                + "and where it is shown; values from the last 30 days where a store was read.", sections);
    }

    public static Map<String, Object> json(Now now) {
        List<Map<String, Object>> metrics = new ArrayList<>();
        for (ClusterMetric m : ClusterMetric.values()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("field", m.field());
            entry.put("title", m.title());
            entry.put("unit", m.unit());
            entry.put("formula", m.formula());
            entry.put("source", m.source());
            entry.put("prometheus", m.prometheusName().orElse(null));
            entry.put("shown_in", m.shownIn());
            entry.put("now", value(m, now).orElse(null));
            metrics.add(entry);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("metrics", metrics);
        json.put("theoretical", now.theoretical().orElse(null));
        json.put("effective", now.effective().map(e -> Map.of("tflops", effectiveTflops(e), "run_id", e.runId(),
                "run", e.runName(), "nodes", e.byNode())).orElse(null));
        return json;
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.1f %%", v);
    }

    private static String hours(double v) {
        return String.format(Locale.ROOT, "%.1f h", v);
    }

    private static Optional<String> distribution(Reliability.Distribution d) {
        return d.count() == 0 ? Optional.empty() : Optional.of(String.format(Locale.ROOT, "mean %.0f s, p90 %.0f s (%d)",
                d.meanSeconds(), d.p90Seconds(), d.count()));
    }
}
