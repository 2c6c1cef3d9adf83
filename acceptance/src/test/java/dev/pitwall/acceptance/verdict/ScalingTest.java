package dev.pitwall.acceptance.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pitwall.acceptance.parse.ToolOutput;
import dev.pitwall.acceptance.parse.ToolParsers;
import dev.pitwall.core.testing.SharedSamples;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scaling from the samples' real runs of the same five tests on 1 and on 10 nodes of 8 H100s. */
class ScalingTest {


    @Test
    void comparesEachRunWithTheSmallestOne() throws Exception {
        Path one = SharedSamples.get("nccl_tests/xxrjun_N1_G8_h100_single_node_5collectives.log");
        Path ten = SharedSamples.get("nccl_tests/xxrjun_N10_G8_h100_5collectives.log");
        // Given in the opposite order: runs are ordered by their node count, read from their headers' hosts.
        List<Scaling.Point> points = Scaling.of(List.of(ToolParsers.parse(ten), ToolParsers.parse(one)));
        assertThat(points).hasSize(10);
        List<Scaling.Point> allReduce = points.stream().filter(p -> p.test().equals("all_reduce_perf")).toList();
        // The samples' index: all_reduce_perf at 16G, out of place: 482.27 GB/s on 1 node, 320.54 on 10.
        assertThat(allReduce).extracting(Scaling.Point::nodes).containsExactly(1, 10);
        assertThat(allReduce).extracting(Scaling.Point::ranks).containsExactly(8, 80);
        assertThat(allReduce.get(1).busbwGbps()).isEqualTo(320.54);
        assertThat(allReduce.get(1).efficiency()).isCloseTo(320.54 / 482.27, within(1e-9));
        assertThat(allReduce.get(1).verdict()).isEqualTo(Verdict.FAIL);
        Scaling.Point allGather = points.stream().filter(p -> p.test().equals("all_gather_perf") && p.nodes() == 10)
                .findFirst().orElseThrow();
        assertThat(allGather.efficiency()).isCloseTo(324.29 / 361.86, within(1e-9));
        assertThat(allGather.verdict()).isEqualTo(Verdict.WARN);
        assertThat(points).filteredOn(p -> p.nodes() == 1).allSatisfy(p -> assertThat(p.verdict()).isEqualTo(Verdict.PASS));
    }

    /** An all_reduce_perf run on {@code nodes} nodes of one GPU each, as nccl-tests prints it. */
    private static ToolOutput run(Path dir, String name, int nodes, String gpu, double busbw) throws Exception {
        StringBuilder out = new StringBuilder("""
                # nccl-tests version 2.17.8 nccl-headers=22902 nccl-library=22902
                # Collective test starting: all_reduce_perf
                # nThread 1 nGpus 1 minBytes 1048576 maxBytes 1048576 step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0
                #
                # Using devices
                """);
        for (int rank = 0; rank < nodes; rank++) {
            out.append(String.format(java.util.Locale.ROOT, "#  Rank %2d Group  0 Pid %d on node-%02d device  0 [0000:1b:00] %s%n",
                    rank, 100 + rank, rank, gpu));
        }
        out.append(String.format(java.util.Locale.ROOT, """
                #
                #       size         count      type   redop    root     time   algbw   busbw  #wrong     time   algbw   busbw  #wrong
                #        (B)    (elements)                               (us)  (GB/s)  (GB/s)             (us)  (GB/s)  (GB/s)
                     1048576        262144     float     sum      -1    40.10   %.2f   %.2f       0    39.90   %.2f   %.2f       0
                # Out of bounds values : 0 OK
                # Avg bus bandwidth    : %.2f
                #
                # Collective test concluded: all_reduce_perf
                """, busbw, busbw, busbw, busbw, busbw));
        return ToolParsers.parse(java.nio.file.Files.writeString(dir.resolve(name), out.toString()));
    }

    @Test
    void refusesRunsThatDoNotGrowOrRanOnOtherGpus(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ToolOutput t4 = run(dir, "t4-2.log", 2, "Tesla T4", 5.1);
        ToolOutput h100 = run(dir, "h100-2.log", 2, "NVIDIA H100 80GB HBM3", 800.0);
        ToolOutput h100Four = run(dir, "h100-4.log", 4, "NVIDIA H100 80GB HBM3", 780.0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Scaling.of(List.of(t4, h100)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both ran on 2 nodes; scaling compares runs at different node counts");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Scaling.of(List.of(run(dir, "t4-1.log", 1, "Tesla T4",
                        5.2), h100)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ran on Tesla T4 but").hasMessageContaining("on NVIDIA H100 80GB HBM3")
                .hasMessageContaining("scaling compares runs on one kind of GPU");
        assertThat(Scaling.of(List.of(h100Four, h100))).extracting(Scaling.Point::nodes).containsExactly(2, 4);
    }
}
