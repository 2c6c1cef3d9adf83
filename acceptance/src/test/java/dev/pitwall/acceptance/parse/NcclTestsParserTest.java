package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** nccl-tests output as it comes off real clusters: several tests, launcher tags, cut-off runs. */
class NcclTestsParserTest {

    private final NcclTestsParser parser = new NcclTestsParser();

    static final String TWO_TESTS = """
            # nccl-tests version 2.17.8 nccl-headers=22902 nccl-library=22902
            # Collective test starting: all_reduce_perf
            # nThread 1 nGpus 1 minBytes 1048576 maxBytes 4194304 step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0
            #
            # Using devices
            #  Rank  0 Group  0 Pid 100 on gpu-a01 device  0 [0000:1b:00] NVIDIA H100 80GB HBM3
            #  Rank  1 Group  0 Pid 101 on gpu-a02 device  0 [0000:1b:00] NVIDIA H100 80GB HBM3
            #
            #       size         count      type   redop    root     time   algbw   busbw  #wrong     time   algbw   busbw  #wrong
            #        (B)    (elements)                               (us)  (GB/s)  (GB/s)             (us)  (GB/s)  (GB/s)
                 1048576        262144     float     sum      -1    40.10   26.15   26.15       0    39.90   26.28   26.28       0
            gpu-a01:100:100 [0] NCCL INFO comm 0x55 rank 0 nranks 2 - Init COMPLETE
            [1,0]<stdout>:     2097152        524288     float     sum      -1[1,0]<stdout>:    61.00   34.38   34.38       0[1,0]<stdout>:    60.50   34.66   34.66       0
                 4194304       1048576     float     sum      -1   101.20   41.45   41.45       3   100.90   41.57   41.57       0
            # Out of bounds values : 3 FAILED
            # Avg bus bandwidth    : 34.065
            #
            # Collective test concluded: all_reduce_perf

            # Collective test starting: alltoall_perf
            # nThread 1 nGpus 1 minBytes 1048576 maxBytes 4194304 step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0
            #  Rank  0 Group  0 Pid 200 on gpu-a01 device  0 [0000:1b:00] NVIDIA H100 80GB HBM3
            #  Rank  1 Group  0 Pid 201 on gpu-a02 device  0 [0000:1b:00] NVIDIA H100 80GB HBM3
            gpu-a02: Test NCCL failure common.cu:1279 'remote process exited or there was a network error / '
            """;

    @Test
    void readsEveryRowOutOfPlaceAndInPlace() {
        ToolOutput out = parser.parse("run.log", TWO_TESTS.lines().toList());
        List<Measurement> rows = out.measurements().stream().filter(m -> m.name().equals("busbw")).toList();
        assertThat(rows).hasSize(6);
        Measurement tagged = rows.get(2);
        assertThat(tagged.value()).isEqualTo(34.38);
        assertThat(tagged.label("size_bytes")).isEqualTo(2097152L);
        assertThat(tagged.label("in_place")).isEqualTo(false);
        assertThat(tagged.label("time_us")).isEqualTo(61.0);
        assertThat(rows.get(3).label("in_place")).isEqualTo(true);
        assertThat(rows.get(3).value()).isEqualTo(34.66);
        assertThat(rows.get(4).label("wrong")).isEqualTo(3L);
        assertThat(rows).allSatisfy(m -> assertThat(m.label("test")).isEqualTo("all_reduce_perf"));
    }

    @Test
    void readsTheSummaryAndTheRanksOfEachTest() {
        ToolOutput out = parser.parse("run.log", TWO_TESTS.lines().toList());
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("avg_busbw"))
                .singleElement().satisfies(m -> assertThat(m.value()).isEqualTo(34.065));
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("out_of_bounds"))
                .singleElement().satisfies(m -> {
                    assertThat(m.value()).isEqualTo(3.0);
                    assertThat(m.label("ok")).isEqualTo(false);
                });
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("ranks")).hasSize(2)
                .first().satisfies(m -> {
                    assertThat(m.value()).isEqualTo(2.0);
                    assertThat(m.label("hosts")).isEqualTo(List.of("gpu-a01", "gpu-a02"));
                    assertThat(m.label("gpus")).isEqualTo(List.of("NVIDIA H100 80GB HBM3"));
                });
        assertThat(out.host()).as("two hosts: no single host").isNull();
    }

    @Test
    void saysWhichTestStoppedAfterItsHeaderAndWhatFailed() {
        ToolOutput out = parser.parse("run.log", TWO_TESTS.lines().toList());
        assertThat(out.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(20);
            assertThat(p.reason()).startsWith("alltoall_perf: no results after the header");
        });
        // The 3 wrong values of all_reduce_perf's last row, then alltoall_perf's failure.
        assertThat(out.warnings()).hasSize(2);
        assertThat(out.warnings().get(0).reason()).contains("all_reduce_perf: 3 wrong value(s) at 4194304 bytes");
        assertThat(out.warnings().get(1)).satisfies(w -> {
            assertThat(w.line()).isEqualTo(24);
            assertThat(w.text()).contains("remote process exited");
        });
    }

    @Test
    void reportsGarbledRowsWithTheirLineInsteadOfGuessing() {
        List<String> lines = List.of(
                "# nThread 1 nGpus 8 minBytes 8 maxBytes 128 step: 2(factor) warmup iters: 5 iters: 20 validation: 1",
                "#  Rank  0 Group  0 Pid 1 on node7 device  0 [0x1b] NVIDIA A100-SXM4-80GB",
                "           8             2     float     sum      -1    30.1    0.00    0.00      0    29.8    0.00    0.00      0",
                "          16             4     float     sum      -1    30.4    0.00",
                "          32             8     float     sum      -1    3x.4    0.00    0.00      0    29.8    0.00    0.00      0");
        ToolOutput out = parser.parse("/results/node7/all_reduce_perf.log", lines);
        assertThat(out.host()).isEqualTo("node7");
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("busbw")).hasSize(2)
                .allSatisfy(m -> assertThat(m.label("test")).as("named from the file").isEqualTo("all_reduce_perf"));
        assertThat(out.problems()).extracting(Problem::line).containsExactly(4, 5, 1);
        assertThat(out.problems().get(0).reason()).contains("7 columns");
        assertThat(out.problems().get(1).reason()).contains("not a number");
        assertThat(out.problems().get(2).reason()).contains("cut short");
    }

    @Test
    void wrongValuesAreAFailureOfTheToolHoweverFastTheRowIs() {
        List<String> lines = List.of(
                "# nThread 1 nGpus 8 minBytes 8 maxBytes 16 step: 2(factor) warmup iters: 5 iters: 20 validation: 1",
                "#  Rank  0 Group  0 Pid 1 on node7 device  0 [0x1b] NVIDIA A100-SXM4-80GB",
                "           8             2     float     sum      -1    30.1    0.00    0.00      0    29.8    0.00    0.00      0",
                "          16             4     float     sum      -1    30.4    0.00    0.00      3    29.8    0.00    0.00      0",
                "# Avg bus bandwidth    : 0.00");
        ToolOutput out = parser.parse("/results/node7/all_reduce_perf.log", lines);
        assertThat(out.warnings()).singleElement().satisfies(w -> {
            assertThat(w.line()).isEqualTo(4);
            assertThat(w.reason()).contains("3 wrong value(s) at 16 bytes out of place").contains("corrupted");
        });
    }

    @Test
    void readsTheOlderColumnLayout() {
        List<String> lines = List.of(
                "# nThread 1 nGpus 8 minBytes 1 maxBytes 8589934592 step: 2(factor) warmup iters: 5 iters: 20 validation: 0",
                "#   Rank  0 Pid 112424 on localhost device  0 [0x00] A100-SXM4-40GB",
                "#       size         count    type   redop     time   algbw   busbw  error     time   algbw   busbw  error",
                "  8589934592    2147483648   float     sum    63979   134.3   235.0    N/A    64012   134.2   234.9    N/A",
                "# Out of bounds values : 0 OK",
                "# Avg bus bandwidth    : 68.4048");
        ToolOutput out = parser.parse("nccl_allreduce.log", lines);
        Measurement first = out.measurements().getFirst();
        assertThat(first.value()).isEqualTo(235.0);
        assertThat(first.label("wrong")).isNull();
        assertThat(first.labels()).doesNotContainKey("root");
        assertThat(out.problems()).isEmpty();
    }

    @Test
    void recognisesItsOutputEvenBehindLauncherTags() {
        assertThat(parser.recognizes("[1,0]<stdout>:# nThread 1 nGpus 1 minBytes 8")).isTrue();
        assertThat(parser.recognizes("fio-3.16\n{\"jobs\":[]}")).isFalse();
    }
}
