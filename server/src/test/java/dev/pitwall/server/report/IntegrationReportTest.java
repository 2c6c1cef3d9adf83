package dev.pitwall.server.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.store.RunKind;
import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.NodeFigures;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.core.storage.Database;
import dev.pitwall.server.PitwallStore;
import dev.pitwall.server.config.PitwallConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntegrationReportTest {

    @TempDir
    Path dir;

    private static Evaluation measured(Map<String, Map<String, NodeFigures.Figure>> figures, List<Finding> findings) {
        Map<String, Verdict> nodes = new TreeMap<>();
        figures.keySet().forEach(n -> nodes.put(n, Verdict.PASS));
        findings.forEach(f -> nodes.merge(f.node(), f.verdict(), Verdict::worst));
        return new Evaluation(nodes.values().stream().reduce(Verdict.PASS, Verdict::worst), nodes, findings, figures,
                Map.of(), figures.size(), List.of());
    }

    @Test
    void eachItemComesFromTheNewestRunThatCheckedItAndAnUncheckedItemLeavesTheReportIncomplete() {
        try (Database database = PitwallStore.open(PitwallConfig.load(Optional.empty(), Map.of()).withDataDir(dir),
                new SimpleMeterRegistry())) {
            AcceptanceRuns runs = new AcceptanceRuns(database, Clock.systemUTC());
            runs.save("full run", null, measured(Map.of(
                    "n1", Map.of("nccl.all_reduce_perf.avg_busbw", new NodeFigures.Figure(180, "GB/s", "")),
                    "n2", Map.of("nccl.all_reduce_perf.avg_busbw", new NodeFigures.Figure(120, "GB/s", ""))),
                    List.of(new Finding("n2", "fleet.nccl.all_reduce_perf.avg_busbw", Verdict.FAIL, "120 GB/s",
                            "≥ 144 GB/s", "33 % below the fleet median"))));
            // Newer, but it measured storage only: the network item still comes from the full run.
            runs.save("fio only", null, measured(Map.of("n1", Map.of("fio.randread.read.iops",
                    new NodeFigures.Figure(900_000, "IOPS", "randread 4k"))), List.of()));
            runs.save(RunKind.MONITORING.named("prometheus"), null, Evaluation.ofFindings(List.of("cluster"), List.of(
                    new Finding("cluster", "monitoring.missing", Verdict.FAIL, "absent", "DCGM_FI_PROF_SM_ACTIVE",
                            "dcgm-exporter does not expose DCGM_FI_PROF_SM_ACTIVE")), 12));

            IntegrationReport.Result first = IntegrationReport.of(runs);

            assertThat(first.verdict()).as("scheduler and storage interface never checked").isNull();
            IntegrationReport.Item network = first.items().getFirst();
            assertThat(network.run()).isEqualTo("full run");
            assertThat(network.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(network.hints()).singleElement().satisfies(h -> assertThat(h).startsWith("NCCL bus bandwidth is low"));
            IntegrationReport.Item storage = first.items().get(1);
            assertThat(storage.run()).isEqualTo("fio only");
            assertThat(storage.verdict()).isEqualTo(Verdict.PASS);
            assertThat(first.items().get(2).verdict()).isNull();
            assertThat(first.items().get(2).how()).contains("pitwall check storage");
            assertThat(first.items().get(4).hints()).containsExactly("dcgm-exporter does not expose DCGM_FI_PROF_SM_ACTIVE");
            assertThat(DocumentWriter.write(IntegrationReport.document(first), "md"))
                    .contains("INCOMPLETE: 2 of 5 items never checked").contains("check it: pitwall check scheduler");

            runs.save(RunKind.SCHEDULER.named("volcano"), null, Evaluation.ofFindings(List.of("cluster"), List.of(), 4));
            runs.save(RunKind.STORAGE_INTERFACE.named("ceph-rbd"), null, Evaluation.ofFindings(List.of("cluster"),
                    List.of(), 3));
            IntegrationReport.Result complete = IntegrationReport.of(runs);
            assertThat(complete.verdict()).isEqualTo(Verdict.FAIL);
            // A newer scheduler run is not taken for a tool-output run, even as the newest row.
            assertThat(complete.items().get(1).run()).isEqualTo("fio only");
        }
    }
}
