package dev.pitwall.acceptance.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A results folder as a pre-job check leaves it: one folder per node, the tools' outputs inside. */
class ResultsEvaluatorTest {

    @TempDir
    Path results;

    @Test
    void passesAHealthyClusterAndNamesTheBadNodesOfAnother() throws Exception {
        ResultsFolder.node(results, "a01", "550.54.15", 480, "OK");
        ResultsFolder.node(results, "a02", "550.54.15", 482, "OK");
        ResultsFolder.node(results, "a03", "550.54.15", 479, "OK");
        Evaluation healthy = ResultsEvaluator.evaluate(results);
        assertThat(healthy.verdict()).isEqualTo(Verdict.PASS);
        assertThat(healthy.files()).isEqualTo(9);
        assertThat(healthy.findings()).isEmpty();

        ResultsFolder.node(results, "a04", "535.183.01", 300, "OK");
        ResultsFolder.node(results, "a05", "550.54.15", 481, "FAULTY");
        Files.writeString(results.resolve("notes.txt"), "rack B, row 3\n");
        Evaluation sick = ResultsEvaluator.evaluate(results);
        assertThat(sick.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(sick.nodes()).containsEntry("a01", Verdict.PASS).containsEntry("a04", Verdict.FAIL)
                .containsEntry("a05", Verdict.FAIL);
        assertThat(sick.findings()).extracting(Finding::node, Finding::check).contains(
                org.assertj.core.groups.Tuple.tuple("a04", "consistency.driver_version"),
                org.assertj.core.groups.Tuple.tuple("a04", "fleet.nccl.all_reduce_perf.avg_busbw"),
                org.assertj.core.groups.Tuple.tuple("a05", "tool.gpu-burn"));
        assertThat(sick.unread()).containsExactly("notes.txt");
    }

    @Test
    void namesTheNodeOfEachFaultAPreJobCheckMustCatch() throws Exception {
        String[] nodes = {"b01", "b02", "b03", "b04", "b05", "b06", "b07"};
        for (String node : nodes) {
            ResultsFolder.node(results, node, node.equals("b03") ? "535.183.01" : "550.54.15", node.equals("b02") ? 300 : 480,
                    node.equals("b04") ? "FAULTY" : "OK");
            ResultsFolder.hostInfo(results, node, node.equals("b05") ? "PORT_DOWN (1)" : "PORT_ACTIVE (4)");
            ResultsFolder.dcgmDiag(results, node, node.equals("b06"));
        }
        ResultsFolder.cutNcclShort(results, "b07");

        Evaluation evaluation = ResultsEvaluator.evaluate(results);
        assertThat(evaluation.nodes()).containsEntry("b01", Verdict.PASS).containsEntry("b02", Verdict.FAIL)
                .containsEntry("b03", Verdict.FAIL).containsEntry("b04", Verdict.FAIL).containsEntry("b05", Verdict.FAIL)
                .containsEntry("b06", Verdict.FAIL).containsEntry("b07", Verdict.WARN);
        assertThat(evaluation.findings()).extracting(Finding::node, Finding::check).contains(
                org.assertj.core.groups.Tuple.tuple("b02", "fleet.nccl.all_reduce_perf.avg_busbw"),
                org.assertj.core.groups.Tuple.tuple("b03", "consistency.driver_version"),
                org.assertj.core.groups.Tuple.tuple("b04", "tool.gpu-burn"),
                org.assertj.core.groups.Tuple.tuple("b05", "consistency.nic_ports_down"),
                org.assertj.core.groups.Tuple.tuple("b06", "tool.dcgmi-diag"),
                org.assertj.core.groups.Tuple.tuple("b07", "read.nccl-tests"));
        assertThat(evaluation.findings()).filteredOn(f -> f.check().equals("consistency.nic_ports_down")).singleElement()
                .satisfies(f -> {
                    assertThat(f.value()).isEqualTo("mlx5_1 port 1 (PORT_DOWN)");
                    assertThat(f.expected()).isEqualTo("none");
                });
        assertThat(dev.pitwall.acceptance.report.RootCauseHints.of(evaluation.findings()).get("b05"))
                .anySatisfy(hint -> assertThat(hint).contains("leaf switch port"));
    }

    @Test
    void holdsEveryNodeToTheHardwareProfile() throws Exception {
        ResultsFolder.node(results, "a01", "550.54.15", 470, "OK");
        ResultsFolder.node(results, "a02", "550.54.15", 430, "OK");
        ResultsFolder.node(results, "a03", "550.54.15", 380, "OK");
        Evaluation evaluation = ResultsEvaluator.evaluate(results, Optional.of(Baseline.load("h100-sxm-8x")));
        assertThat(evaluation.findings()).filteredOn(f -> f.check().equals("baseline.nccl.all_reduce_perf.busbw_max"))
                .extracting(Finding::node, Finding::verdict)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a03", Verdict.FAIL),
                        org.assertj.core.groups.Tuple.tuple("a02", Verdict.WARN));
        assertThat(evaluation.findings()).filteredOn(f -> f.check().equals("baseline.nvidia-smi.gpu_count"))
                .hasSize(3).allSatisfy(f -> {
                    assertThat(f.value()).isEqualTo("1.00 GPUs");
                    assertThat(f.expected()).isEqualTo("at least 8.00 GPUs (h100-sxm-8x)");
                });
        assertThat(evaluation.findings()).filteredOn(f -> f.check().equals("baseline.perftest.ib_write_bw.bw_average_max"))
                .hasSize(3).allSatisfy(f -> assertThat(f.verdict()).isEqualTo(Verdict.WARN));
        assertThat(evaluation.verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void shipsProfilesWithASourceForEveryExpectation() {
        for (String name : Baseline.BUILT_IN) {
            Baseline profile = Baseline.load(name);
            assertThat(profile.name()).isEqualTo(name);
            assertThat(profile.expectations()).isNotEmpty().allSatisfy(e -> {
                assertThat(e.source()).isNotBlank();
                assertThat(e.warnAtLeast()).isLessThanOrEqualTo(e.passAtLeast());
            });
            assertThat(dev.pitwall.core.catalog.GpuCatalog.builtIn().all())
                    .anySatisfy(g -> assertThat(g.name()).isEqualTo(profile.gpu()));
        }
        assertThatThrownBy(() -> Baseline.load("b300-72x")).isInstanceOf(dev.pitwall.core.config.ConfigException.class)
                .hasMessageContaining("no such profile; use one of h100-sxm-8x, a100-sxm-8x");
    }

    @Test
    void cannotEvaluateAFolderWithoutToolOutputs() throws Exception {
        Files.writeString(results.resolve("readme.md"), "nothing here\n");
        Evaluation empty = ResultsEvaluator.evaluate(results);
        assertThat(empty.evaluable()).isFalse();
    }
}
