package dev.pitwall.acceptance.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
}
