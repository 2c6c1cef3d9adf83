package dev.pitwall.trainops.check.verdict;

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
