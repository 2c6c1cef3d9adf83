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

    private void node(String name, String driver, double busbw, String burnVerdict) throws Exception {
        Path dir = Files.createDirectories(results.resolve(name));
        Files.writeString(dir.resolve("nvidia-smi.xml"), """
                <?xml version="1.0" ?>
                <!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">
                <nvidia_smi_log><driver_version>%s</driver_version><cuda_version>12.4</cuda_version>
                  <gpu id="00000000:18:00.0"><product_name>NVIDIA H100 80GB HBM3</product_name><vbios_version>96.00.99</vbios_version>
                    <fb_memory_usage><total>81559 MiB</total></fb_memory_usage><ecc_mode><current_ecc>Enabled</current_ecc></ecc_mode>
                    <persistence_mode>Enabled</persistence_mode></gpu>
                </nvidia_smi_log>
                """.formatted(driver));
        Files.writeString(dir.resolve("all_reduce_perf.log"), """
                # Collective test starting: all_reduce_perf
                # nThread 1 nGpus 1 minBytes 8 maxBytes 8 step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0
                #  Rank  0 Group  0 Pid 1 on %s device  0 [0000:18:00] NVIDIA H100 80GB HBM3
                  8589934592    2147483648     float     sum      -1    31000   277.0  %.2f       0    31001   277.0  %.2f       0
                # Out of bounds values : 0 OK
                # Avg bus bandwidth    : %.2f
                # Collective test concluded: all_reduce_perf
                """.formatted(name, busbw, busbw, busbw));
        Files.writeString(dir.resolve("gpu_burn.log"), """
                GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-%s)
                100.0%%  proc'd: 900 (50000 Gflop/s)   errors: 0   temps: 70 C
                Tested 1 GPUs:
                \tGPU 0: %s
                """.formatted(name, burnVerdict));
    }

    @Test
    void passesAHealthyClusterAndNamesTheBadNodesOfAnother() throws Exception {
        node("a01", "550.54.15", 480, "OK");
        node("a02", "550.54.15", 482, "OK");
        node("a03", "550.54.15", 479, "OK");
        Evaluation healthy = ResultsEvaluator.evaluate(results);
        assertThat(healthy.verdict()).isEqualTo(Verdict.PASS);
        assertThat(healthy.files()).isEqualTo(9);
        assertThat(healthy.findings()).isEmpty();

        node("a04", "535.183.01", 300, "OK");
        node("a05", "550.54.15", 481, "FAULTY");
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
        node("a01", "550.54.15", 470, "OK");
        node("a02", "550.54.15", 430, "OK");
        node("a03", "550.54.15", 380, "OK");
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
