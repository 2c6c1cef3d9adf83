package dev.pitwall.server.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.acceptance.parse.NvidiaSmiXmlParser;
import dev.pitwall.acceptance.parse.ToolOutput;
import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.NodeFigures;
import dev.pitwall.acceptance.verdict.Scaling;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.catalog.ClusterMetric;
import dev.pitwall.core.catalog.GpuCatalog;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.testing.SharedSamples;
import dev.pitwall.server.PitwallStore;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.trainops.fleet.NodeSightings;
import dev.pitwall.trainops.incident.Incident;
import dev.pitwall.trainops.incident.Incidents;
import dev.pitwall.trainops.incident.Reliability;
import dev.pitwall.trainops.incident.ReliabilityMetrics;
import dev.pitwall.trainops.ingest.NodeInventory;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricDesignReportTest {

    /** Fields of the reliability report that are counts, periods or lists, not cluster metrics. */
    private static final Set<String> NOT_METRICS = Set.of("from", "to", "period_days", "nodes", "node_days",
            "enough_data", "failures", "failure_modes", "by_node", "incidents");

    @TempDir
    Path dir;

    private Database store() {
        return PitwallStore.open(PitwallConfig.load(Optional.empty(), Map.of()).withDataDir(dir), new SimpleMeterRegistry());
    }

    @Test
    void everyExportedCatalogMetricIsOnMetricsUnderItsCatalogName() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Database database = store()) {
            Clock clock = Clock.systemUTC();
            new ReliabilityMetrics(new Incidents(database, new AuditLog(database, clock), clock, Set.of()),
                    new NodeSightings(database), new UtilizationStore(database), clock, registry);
            String exposition = registry.scrape();
            List<ClusterMetric> exported = Arrays.stream(ClusterMetric.values())
                    .filter(m -> m.prometheusName().isPresent()).toList();
            assertThat(exported).hasSizeGreaterThanOrEqualTo(5);
            for (ClusterMetric m : exported) {
                assertThat(exposition).as(m.name()).containsPattern("\n" + m.prometheusName().get() + "[{ ]")
                        .as(m.name()).contains("# HELP " + m.prometheusName().get() + " " + m.title());
            }
        }
    }

    @Test
    void theReliabilityReportCarriesEveryCatalogFieldAndNoMetricOutsideTheCatalog() throws Exception {
        Instant to = Instant.parse("2026-11-30T00:00:00Z");
        Instant from = to.minus(Duration.ofDays(10));
        Incident one = new Incident(1, "Xid 79", "gpu-fell-off-bus", "critical", "n1", List.of("n1"),
                Incident.State.MITIGATED, 3, List.of("n1"), from.plusSeconds(3600), from.plusSeconds(3700), null,
                from.plusSeconds(5400), null, from.plusSeconds(3590), null);
        Reliability reliability = Reliability.of(List.of(one), from, to, Map.of("n1", Duration.ofDays(10),
                "n2", Duration.ofDays(10)), OptionalInt.empty(), Optional.of(new UtilizationStore.Utilization(80, 60, 4)));
        JsonNode json = Json.mapper().valueToTree(reliability);
        Set<String> fields = new HashSet<>();
        json.fieldNames().forEachRemaining(fields::add);
        Set<String> catalogued = Arrays.stream(ClusterMetric.values()).map(ClusterMetric::field)
                .collect(Collectors.toSet());
        List<String> reliabilityMetrics = List.of(ClusterMetric.PHYSICAL_UTILIZATION, ClusterMetric.LOGICAL_UTILIZATION,
                ClusterMetric.MTBF, ClusterMetric.MTBF_PER_NODE, ClusterMetric.NODE_FAILURE_RATE,
                ClusterMetric.TIME_TO_DETECT, ClusterMetric.TIME_TO_RECOVER, ClusterMetric.GOODPUT).stream()
                .map(ClusterMetric::field).toList();
        assertThat(fields).containsAll(reliabilityMetrics);
        List<String> uncatalogued = new ArrayList<>(fields);
        uncatalogued.removeAll(catalogued);
        uncatalogued.removeAll(NOT_METRICS);
        assertThat(uncatalogued).as("reliability fields missing from ClusterMetric").isEmpty();

        JsonNode scaling = Json.mapper().valueToTree(new Scaling.Point("all_reduce", 2, 16, 180, 0.95, Verdict.PASS, "f"));
        assertThat(scaling.has(ClusterMetric.SCALING_EFFICIENCY.field())).isTrue();
        assertThat(ClusterMetric.EFFECTIVE_TFLOPS.source()).contains(NodeFigures.HPL_MXP_GFLOPS);
    }

    @Test
    void theoreticalTflopsIsTheCatalogPeakOfEveryInventoriedGpuAndNamesWhatItCouldNotCount() throws Exception {
        Path a100 = SharedSamples.get("nvidia_smi/nvidia_smi_q_x_a100_sxm4_mig.xml");
        Path p100 = SharedSamples.get("nvidia_smi/nvidia_smi_q_x_tesla_p100.xml");
        try (Database database = store()) {
            NodeInventory inventory = new NodeInventory(database, Clock.systemUTC());
            inventory.record("gpu-a", Files.readString(a100));
            inventory.record("gpu-b", Files.readString(a100));
            inventory.record("gpu-c", Files.readString(p100));
            long a100s = gpus(a100);
            double peak = GpuCatalog.builtIn().find("NVIDIA A100-SXM4-40GB").orElseThrow().peakTflops("bf16").orElseThrow();

            MetricDesignReport.Theoretical t = MetricDesignReport.theoretical(inventory.all(), GpuCatalog.builtIn(), "BF16")
                    .orElseThrow();

            assertThat(t.tflops()).isEqualTo(2 * a100s * peak);
            assertThat(t.nodes()).isEqualTo(3);
            assertThat(t.gpus()).isEqualTo((int) (2 * a100s + gpus(p100)));
            assertThat(t.byModel()).containsEntry("a100-40gb", (int) (2 * a100s));
            // The P100 has no BF16: it is named, not counted as zero silently.
            assertThat(t.unknown()).containsOnlyKeys("Tesla P100-PCIE-16GB");
            assertThat(MetricDesignReport.theoretical(List.of(), GpuCatalog.builtIn(), "bf16")).isEmpty();
        }
    }

    @Test
    void effectiveTflopsComesFromTheNewestRunThatRanHplMxpNotSimplyTheNewestRun() {
        try (Database database = store()) {
            AcceptanceRuns runs = new AcceptanceRuns(database, Clock.systemUTC());
            runs.save("with-mxp", null, evaluation(Map.of(
                    "gpu-a", Map.of(NodeFigures.HPL_MXP_GFLOPS, new NodeFigures.Figure(120_000, "GFLOPS", "")),
                    "gpu-b", Map.of(NodeFigures.HPL_MXP_GFLOPS, new NodeFigures.Figure(80_000, "GFLOPS", "")))));
            runs.save("nccl-only", null, evaluation(Map.of(
                    "gpu-a", Map.of("nccl.all_reduce.avg_busbw", new NodeFigures.Figure(180, "GB/s", "")))));

            AcceptanceRuns.NodeFigure found = runs.newestFigure(NodeFigures.HPL_MXP_GFLOPS).orElseThrow();

            assertThat(found.runName()).isEqualTo("with-mxp");
            assertThat(MetricDesignReport.effectiveTflops(found)).isEqualTo(200.0);
            assertThat(runs.newestFigure("hpl.gflops")).isEmpty();
            MetricDesignReport.Now now = new MetricDesignReport.Now(Optional.empty(), Optional.of(found), Optional.empty());
            assertThat(MetricDesignReport.value(ClusterMetric.EFFECTIVE_TFLOPS, now)).hasValueSatisfying(
                    v -> assertThat(v).startsWith("200.0 TFLOPS (2 nodes, acceptance run 1 with-mxp"));
        }
    }

    @Test
    void theReportListsEveryCatalogMetricWithFormulaSourceUnitAndWhereShown() throws Exception {
        String markdown = DocumentWriter.write(MetricDesignReport.document(MetricDesignReport.Now.NOTHING), "md");
        JsonNode json = Json.mapper().valueToTree(MetricDesignReport.json(MetricDesignReport.Now.NOTHING));
        assertThat(json.path("metrics")).hasSize(ClusterMetric.values().length);
        for (ClusterMetric m : ClusterMetric.values()) {
            assertThat(markdown).contains(m.title()).contains(m.formula().substring(0, 30));
            JsonNode entry = json.path("metrics").get(m.ordinal());
            assertThat(entry.path("field").asText()).isEqualTo(m.field());
            assertThat(entry.path("unit").asText()).isNotBlank();
            assertThat(entry.path("shown_in")).isNotEmpty();
            assertThat(entry.path("now").isNull()).isTrue();
        }
        assertThat(markdown).contains("No store was read");
    }

    private static long gpus(Path xml) throws Exception {
        ToolOutput parsed = new NvidiaSmiXmlParser().parse(xml.toString(), Files.readAllLines(xml));
        return parsed.measurements().stream().filter(m -> m.name().equals("gpu")).count();
    }

    private static Evaluation evaluation(Map<String, Map<String, NodeFigures.Figure>> figures) {
        Map<String, Verdict> nodes = figures.keySet().stream().collect(Collectors.toMap(n -> n, n -> Verdict.PASS));
        return new Evaluation(Verdict.PASS, nodes, List.of(), figures, Map.of(), figures.size(), List.of());
    }
}
