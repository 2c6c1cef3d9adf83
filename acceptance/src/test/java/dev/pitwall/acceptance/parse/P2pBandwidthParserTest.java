package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class P2pBandwidthParserTest {

    private static List<Measurement> find(ToolOutput out, String name, Predicate<Measurement> which) {
        return out.measurements().stream().filter(m -> m.name().equals(name)).filter(which).toList();
    }

    private static double at(ToolOutput out, String name, int src, int dst, boolean p2p) {
        return find(out, name, m -> m.label("src").equals(src) && m.label("dst").equals(dst)
                && Boolean.valueOf(p2p).equals(m.label("p2p"))).getFirst().value();
    }

    @Test
    void readsTheRealFourGpuRun() throws Exception {
        ToolOutput out = ToolParsers.parse(Samples.dir("p2p_bandwidth").resolve("sushruta_p2p_4xa100_pcie_nvlink_pairs.log"));
        assertThat(out.tool()).isEqualTo(P2pBandwidthParser.TOOL);
        assertThat(find(out, "peer_access", m -> m.value() == 1)).hasSize(4);
        assertThat(at(out, "p2p_bw_unidir", 0, 1, true)).isEqualTo(275.07);
        assertThat(at(out, "p2p_bw_unidir", 0, 2, true)).isEqualTo(21.62);
        assertThat(at(out, "p2p_bw_bidir", 2, 3, true)).isEqualTo(517.45);
        assertThat(at(out, "p2p_bw_unidir", 0, 1, false)).isEqualTo(21.51);
        assertThat(at(out, "p2p_latency_gpu", 1, 0, true)).isEqualTo(2.22);
        assertThat(at(out, "p2p_latency_cpu", 3, 2, true)).isEqualTo(1.68);
        assertThat(find(out, "p2p_bw_bidir", m -> m.label("src").equals(m.label("dst")))).as("no diagonal").isEmpty();
        assertThat(find(out, "p2p_bw_bidir", m -> Boolean.TRUE.equals(m.label("p2p")) && Boolean.TRUE.equals(m.label("peer"))))
                .extracting(Measurement::value).containsExactlyInAnyOrder(516.19, 515.51, 517.45, 515.35);
        assertThat(out.problems()).isEmpty();
    }

    @Test
    void saysWhenTheTestStoppedBeforeMeasuring() {
        ToolOutput out = new P2pBandwidthParser().parse("p2p.log", List.of(
                "[P2P (Peer-to-Peer) GPU Bandwidth Latency Test]",
                "Device: 0, NVIDIA H100 80GB HBM3, pciBusID: 18, pciDeviceID: 0, pciDomainID:0",
                "Device=0 CAN Access Peer Device=1"));
        assertThat(out.problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("stopped before measuring"));
    }
}
