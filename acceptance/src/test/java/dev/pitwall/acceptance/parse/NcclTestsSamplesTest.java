package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The parser against real nccl-tests outputs collected from public repositories, in
 * ../shared/samples (present in CI, absent from a user's clone: then these tests are skipped).
 * Each expectation is a fact the samples' index states about its file.
 */
class NcclTestsSamplesTest {

    private static ToolOutput read(String name) throws Exception {
        ToolOutput out = ToolParsers.parse(Samples.dir("nccl_tests").resolve(name));
        assertThat(out.tool()).isEqualTo(NcclTestsParser.TOOL);
        return out;
    }

    private static double peak(ToolOutput out, String test, boolean inPlace) {
        return out.measurements().stream()
                .filter(m -> m.name().equals("busbw") && test.equals(m.label("test")) && m.label("in_place").equals(inPlace))
                .max(Comparator.comparingDouble(Measurement::value)).orElseThrow().value();
    }

    private static double average(ToolOutput out, String test) {
        return out.measurements().stream().filter(m -> m.name().equals("avg_busbw") && test.equals(m.label("test")))
                .findFirst().orElseThrow().value();
    }

    @Test
    void singleNodeFiveCollectives() throws Exception {
        ToolOutput out = read("xxrjun_N1_G8_h100_single_node_5collectives.log");
        assertThat(out.host()).isEqualTo("cnode3-002");
        assertThat(peak(out, "all_reduce_perf", false)).isEqualTo(482.27);
        assertThat(peak(out, "all_reduce_perf", true)).isEqualTo(482.12);
        assertThat(average(out, "all_reduce_perf")).isEqualTo(437.957);
        assertThat(average(out, "sendrecv_perf")).isEqualTo(279.874);
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("busbw"))
                .allSatisfy(m -> assertThat(m.label("wrong")).isIn(0L, null));
        assertThat(out.problems()).isEmpty();
    }

    @Test
    void tenNodesEightyRanks() throws Exception {
        ToolOutput out = read("xxrjun_N10_G8_h100_5collectives.log");
        assertThat(out.host()).isNull();
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("ranks"))
                .allSatisfy(m -> assertThat(m.value()).isEqualTo(80.0));
        assertThat(peak(out, "all_reduce_perf", false)).isEqualTo(344.87);
        assertThat(peak(out, "all_reduce_perf", true)).isEqualTo(364.07);
        assertThat(average(out, "alltoall_perf")).isEqualTo(47.1472);
        assertThat(out.problems()).isEmpty();
    }

    @Test
    void launcherTagsInTheMiddleOfRows() throws Exception {
        ToolOutput out = read("keitaw_p5_2node_h100_efa_all_reduce_nccl_debug.log");
        String test = (String) out.measurements().getFirst().label("test");
        assertThat(peak(out, test, false)).isEqualTo(487.90);
        assertThat(peak(out, test, true)).isEqualTo(488.14);
        assertThat(average(out, test)).isEqualTo(124.584);
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("ranks"))
                .singleElement().satisfies(m -> assertThat(m.value()).isEqualTo(16.0));
    }

    @Test
    void efaLogWithPrefixesOnEveryLine() throws Exception {
        ToolOutput out = read("eks_efa_2node_t4_all_reduce_mpi_prefixed.log");
        String test = (String) out.measurements().getFirst().label("test");
        assertThat(test).isEqualTo("all_reduce_perf");
        assertThat(peak(out, test, false)).isEqualTo(3.15);
        assertThat(average(out, test)).isEqualTo(1.15327);
    }

    @Test
    void olderColumnLayout() throws Exception {
        ToolOutput out = read("superbench_old_format_allreduce_8xa100_single_process.log");
        assertThat(out.host()).isEqualTo("localhost");
        assertThat(peak(out, "all_reduce_perf", false)).isEqualTo(235.26);
        assertThat(peak(out, "all_reduce_perf", true)).isEqualTo(235.03);
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("busbw")).hasSize(34 * 2);
    }

    @Test
    void runsThatStoppedOrFailed() throws Exception {
        ToolOutput hang = read("xxrjun_N2_G4_alltoall_header_only_hang.log");
        assertThat(hang.problems()).extracting(Problem::reason).anyMatch(r -> r.startsWith("alltoall_perf: no results"));

        ToolOutput network = read("xxrjun_N2_G4_alltoall_network_error.log");
        // Four ranks print two failure lines each (lines 14-21): one failure, counted.
        assertThat(network.warnings()).singleElement().satisfies(w -> {
            assertThat(w.line()).isEqualTo(14);
            assertThat(w.text()).contains("cnode2-009").contains("network error");
            assertThat(w.reason()).isEqualTo("nccl-tests reported a failure on 8 lines (through line 21)");
        });
        assertThat(network.problems()).extracting(Problem::reason).anyMatch(r -> r.startsWith("alltoall_perf: no results"));

        ToolOutput partly = read("xxrjun_N2_G1_alltoall_ok_then_sendrecv_no_data.log");
        assertThat(average(partly, "alltoall_perf")).isEqualTo(13.3923);
        assertThat(partly.problems()).extracting(Problem::reason).singleElement()
                .satisfies(r -> assertThat(r).startsWith("sendrecv_perf: no results"));
    }

    @Test
    void everySampleIsRecognised() throws Exception {
        try (var files = Files.list(Samples.dir("nccl_tests"))) {
            List<Path> logs = files.filter(p -> p.toString().endsWith(".log")).toList();
            assertThat(logs).hasSizeGreaterThanOrEqualTo(8);
            for (Path log : logs) {
                assertThat(ToolParsers.parse(log).tool()).as(log.toString()).isEqualTo(NcclTestsParser.TOOL);
            }
        }
    }
}
