package dev.pitwall.acceptance.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.parse.Measurement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RulesTest {

    private static Measurement gpu(String driver, String vbios) {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("product_name", "NVIDIA H100 80GB HBM3");
        labels.put("driver_version", driver);
        labels.put("cuda_version", "12.4");
        labels.put("vbios_version", vbios);
        labels.put("memory_total", "81559 MiB");
        labels.put("ecc_mode", "Enabled");
        labels.put("persistence_mode", "Enabled");
        labels.put("mig_mode", "Disabled");
        return new Measurement("gpu", 1, "gpu", labels);
    }

    @Test
    void namesTheNodeThatDiffersWithItsValueAndTheMajoritys() {
        Map<String, List<Measurement>> nodes = new TreeMap<>();
        nodes.put("a01", List.of(gpu("550.54.15", "96.00.99"), gpu("550.54.15", "96.00.99")));
        nodes.put("a02", List.of(gpu("550.54.15", "96.00.99"), gpu("550.54.15", "96.00.99")));
        nodes.put("a03", List.of(gpu("535.183.01", "96.00.99"), gpu("535.183.01", "96.00.74")));
        nodes.put("a04", List.of(gpu("550.54.15", "96.00.99")));
        List<Finding> findings = NodeConsistency.check(nodes);
        assertThat(findings).extracting(Finding::node, Finding::check, Finding::value, Finding::expected)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("a04", "consistency.gpu_count", "1", "2"),
                        org.assertj.core.groups.Tuple.tuple("a03", "consistency.driver_version", "535.183.01", "550.54.15"),
                        org.assertj.core.groups.Tuple.tuple("a03", "consistency.vbios_version", "mixed: 96.00.74, 96.00.99",
                                "96.00.99"));
        assertThat(findings).allSatisfy(f -> assertThat(f.verdict()).isEqualTo(Verdict.FAIL));
        assertThat(findings.stream().filter(f -> f.check().equals("consistency.driver_version")).findFirst().orElseThrow()
                .detail()).isEqualTo("driver_version is 535.183.01 on a03 but 550.54.15 on 3 of 4 nodes");
    }

    @Test
    void aFieldTheOutputDoesNotCarryIsUnknownNotAMismatch() {
        // node-c ran `nvidia-smi -q -d MEMORY`: no ECC, persistence or MIG section.
        Measurement sectionsOnly = gpu("550.54.15", "96.00.99");
        Map<String, Object> labels = new LinkedHashMap<>(sectionsOnly.labels());
        labels.put("ecc_mode", "");
        labels.put("persistence_mode", "");
        labels.remove("mig_mode");
        Map<String, List<Measurement>> nodes = new TreeMap<>();
        nodes.put("node-a", List.of(gpu("550.54.15", "96.00.99")));
        nodes.put("node-b", List.of(gpu("550.54.15", "96.00.99")));
        nodes.put("node-c", List.of(new Measurement("gpu", 1, "gpu", labels)));
        assertThat(NodeConsistency.check(nodes)).isEmpty();

        // One GPU of four that does not say is still no "mixed" value.
        Map<String, Object> one = new LinkedHashMap<>(gpu("550.54.15", "96.00.99").labels());
        one.put("ecc_mode", "");
        nodes.put("node-a", List.of(gpu("550.54.15", "96.00.99"), gpu("550.54.15", "96.00.99")));
        nodes.put("node-b", List.of(gpu("550.54.15", "96.00.99"), gpu("550.54.15", "96.00.99")));
        nodes.put("node-c", List.of(gpu("550.54.15", "96.00.99"), new Measurement("gpu", 1, "gpu", one)));
        assertThat(NodeConsistency.check(nodes)).isEmpty();

        // A value that is there and differs is still named.
        Map<String, Object> off = new LinkedHashMap<>(gpu("550.54.15", "96.00.99").labels());
        off.put("ecc_mode", "Disabled");
        nodes.put("node-c", List.of(gpu("550.54.15", "96.00.99"), new Measurement("gpu", 1, "gpu", off)));
        assertThat(NodeConsistency.check(nodes)).extracting(Finding::detail)
                .containsExactly("ecc_mode is mixed: Disabled, Enabled on node-c but Enabled on 2 of 3 nodes");
    }

    @Test
    void aSingleNodeHasNothingToDifferFrom() {
        assertThat(NodeConsistency.check(Map.of("solo", List.of(gpu("1", "2"))))).isEmpty();
    }

    @Test
    void namesTheSlowNodeAgainstTheFleetMedian() {
        Map<String, Double> busbw = new TreeMap<>();
        for (int i = 1; i <= 63; i++) {
            busbw.put(String.format("node%02d", i), 480.0 + (i % 5));
        }
        busbw.put("node64", 300.0);
        busbw.put("node65", 425.0);
        List<Finding> findings = FleetOutliers.check("fleet.nccl.all_reduce_perf.avg_busbw", busbw, "GB/s");
        assertThat(findings).extracting(Finding::node, Finding::verdict)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("node64", Verdict.FAIL),
                        org.assertj.core.groups.Tuple.tuple("node65", Verdict.WARN));
        assertThat(findings.getFirst().expected()).isEqualTo("482.00 GB/s (fleet median)");
    }

    @Test
    void needsThreeNodesForAMedian() {
        assertThat(FleetOutliers.check("x", Map.of("a", 100.0, "b", 10.0), "GB/s")).isEmpty();
        assertThat(FleetOutliers.median(new double[] {1, 2, 3, 10})).isEqualTo(2.5);
    }
}
