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
        // A figure the profile expects and no node measured leaves every node not verified.
        assertThat(evaluation.findings()).filteredOn(f -> f.check().equals("baseline.perftest.ib_write_bw.bw_average_max"))
                .hasSize(3).allSatisfy(f -> {
                    assertThat(f.verdict()).isEqualTo(Verdict.FAIL);
                    assertThat(f.value()).isEqualTo("not measured");
                });
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

    @Test
    void neverPassesANodeWithoutEvidence() throws Exception {
        ResultsFolder.node(results, "c01", "550.54.15", 480, "OK");
        ResultsFolder.node(results, "c02", "550.54.15", 481, "OK");
        ResultsFolder.node(results, "c03", "550.54.15", 479, "OK");
        Files.createDirectories(results.resolve("c04"));
        Files.writeString(Files.createDirectories(results.resolve("c05")).resolve("nccl.log"), "Segmentation fault\n");

        Evaluation evaluation = ResultsEvaluator.evaluate(results);
        assertThat(evaluation.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(evaluation.nodes()).hasSize(5).containsEntry("c01", Verdict.PASS)
                .containsEntry("c04", Verdict.FAIL).containsEntry("c05", Verdict.FAIL);
        assertThat(evaluation.findings()).filteredOn(f -> f.check().equals("evidence.outputs"))
                .extracting(Finding::node, Finding::value).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("c04", "an empty folder"),
                        org.assertj.core.groups.Tuple.tuple("c05", "1 file, none a tool output Pitwall reads"));
    }

    @Test
    void readsTheRunRecordAndFailsEveryStepThatDidNotEndWell() throws Exception {
        for (String node : new String[] {"d01", "d02", "d03"}) {
            ResultsFolder.node(results, node, "550.54.15", 480, "OK");
        }
        // As check run writes it on a machine where dcgmi is missing on d02 and gpu-burn ran out of time on d03;
        // d04 was in the plan but its folder is gone.
        Files.writeString(results.resolve("run.json"), """
                {"plan": "quick", "runner": "local", "nodes": ["d01", "d02", "d03", "d04"],
                 "started": "2026-11-24T08:00:00Z", "finished": "2026-11-24T08:20:00Z",
                 "results": [
                   {"node": "d01", "step": "dcgm-diag", "output": "dcgmi-diag.json", "exitCode": 0, "timedOut": false, "seconds": 60.0},
                   {"node": "d02", "step": "dcgm-diag", "output": "dcgmi-diag.json", "exitCode": 127, "timedOut": false, "seconds": 0.1},
                   {"node": "d03", "step": "gpu-burn", "output": "gpu-burn.log", "exitCode": -1, "timedOut": true, "seconds": 900.0},
                   {"node": "d04", "step": "dcgm-diag", "output": "dcgmi-diag.json", "exitCode": -1, "timedOut": false,
                    "seconds": 0.0, "error": "ssh: connect to host d04 port 22: No route to host"}
                 ]}
                """);
        Evaluation evaluation = ResultsEvaluator.evaluate(results);
        assertThat(evaluation.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(evaluation.unread()).as("the run record is read, not left out").doesNotContain("run.json");
        assertThat(evaluation.nodes()).containsEntry("d01", Verdict.PASS).containsEntry("d02", Verdict.FAIL)
                .containsEntry("d03", Verdict.FAIL).containsEntry("d04", Verdict.FAIL);
        assertThat(evaluation.findings()).filteredOn(f -> f.check().startsWith("evidence."))
                .extracting(Finding::node, Finding::check, Finding::value).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("d02", "evidence.step.dcgm-diag", "exited 127 (command not found)"),
                        org.assertj.core.groups.Tuple.tuple("d03", "evidence.step.gpu-burn",
                                "stopped at its time budget after 900 s"),
                        org.assertj.core.groups.Tuple.tuple("d04", "evidence.outputs", "no folder"),
                        org.assertj.core.groups.Tuple.tuple("d04", "evidence.step.dcgm-diag",
                                "could not start: ssh: connect to host d04 port 22: No route to host"));
    }

    @Test
    void aNodeWhoseFioJobDiffersIsNotComparedWithTheFleet() throws Exception {
        for (String node : new String[] {"f01", "f02", "f03"}) {
            ResultsFolder.node(results, node, "550.54.15", 480, "OK");
            ResultsFolder.fio(results, node, 64, 900_000);
        }
        // f04 ran the job at queue depth 1: its IOPS are a fifth of the others' and say nothing of its disk.
        ResultsFolder.node(results, "f04", "550.54.15", 480, "OK");
        ResultsFolder.fio(results, "f04", 1, 180_000);

        Evaluation evaluation = ResultsEvaluator.evaluate(results);
        assertThat(evaluation.findings()).filteredOn(f -> f.check().equals("fleet.fio.randread.read.iops"))
                .singleElement().satisfies(f -> {
                    assertThat(f.node()).isEqualTo("f04");
                    assertThat(f.verdict()).as("not a slow disk: another test").isEqualTo(Verdict.WARN);
                    assertThat(f.detail()).contains("not comparable").contains("iodepth=1").contains("iodepth=64");
                });
    }

    @Test
    void oneNcclFailureIsOneFindingWithItsLineCount() throws Exception {
        for (String node : new String[] {"n01", "n02", "n03"}) {
            ResultsFolder.node(results, node, "550.54.15", 480, "OK");
        }
        // As nccl-tests prints a network error: two lines from each of four ranks.
        StringBuilder log = new StringBuilder("# Collective test starting: alltoall_perf\n");
        for (int pid = 353213; pid < 353217; pid++) {
            log.append("n03: Test NCCL failure common.cu:1279 'remote process exited or there was a network error / '\n")
                    .append(" .. n03 pid ").append(pid).append(": Test failure common.cu:1100\n");
        }
        Files.writeString(results.resolve("n03").resolve("alltoall_perf.log"), log.toString());

        Evaluation evaluation = ResultsEvaluator.evaluate(results);
        assertThat(evaluation.nodes()).containsEntry("n03", Verdict.FAIL).containsEntry("n01", Verdict.PASS);
        assertThat(evaluation.findings()).filteredOn(f -> f.check().equals("tool.nccl-tests")).singleElement()
                .satisfies(f -> assertThat(f.detail()).contains("8 lines").contains("network error")
                        .contains("alltoall_perf.log:2"));
    }

    @Test
    void aGpuWhoseClocksAreHeldBackIsAWarning() throws Exception {
        for (String node : new String[] {"t01", "t02"}) {
            ResultsFolder.node(results, node, "550.54.15", 480, "OK");
        }
        Files.writeString(results.resolve("t02").resolve("nvidia-smi.xml"), """
                <?xml version="1.0" ?>
                <nvidia_smi_log><driver_version>550.54.15</driver_version><cuda_version>12.4</cuda_version>
                  <gpu id="00000000:18:00.0"><product_name>NVIDIA H100 80GB HBM3</product_name><vbios_version>96.00.99</vbios_version>
                    <fb_memory_usage><total>81559 MiB</total></fb_memory_usage><ecc_mode><current_ecc>Enabled</current_ecc></ecc_mode>
                    <persistence_mode>Enabled</persistence_mode>
                    <clocks_event_reasons>
                      <clocks_event_reason_gpu_idle>Not Active</clocks_event_reason_gpu_idle>
                      <clocks_event_reason_sw_power_cap>Active</clocks_event_reason_sw_power_cap>
                      <clocks_event_reason_hw_slowdown>Not Active</clocks_event_reason_hw_slowdown>
                      <clocks_event_reason_sw_thermal_slowdown>Active</clocks_event_reason_sw_thermal_slowdown>
                    </clocks_event_reasons></gpu>
                </nvidia_smi_log>
                """);
        Evaluation evaluation = ResultsEvaluator.evaluate(results);
        assertThat(evaluation.nodes()).containsEntry("t01", Verdict.PASS).containsEntry("t02", Verdict.WARN);
        assertThat(evaluation.findings()).filteredOn(f -> f.check().equals("gpu.clock_slowdown")).singleElement()
                .satisfies(f -> assertThat(f.detail()).contains("00000000:18:00.0").contains("SW Thermal Slowdown")
                        .doesNotContain("Power Cap"));
    }
}
