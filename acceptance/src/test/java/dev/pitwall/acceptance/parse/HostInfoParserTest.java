package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.verdict.ResultsEvaluator;
import dev.pitwall.acceptance.verdict.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** uname -a, ofed_info -s and ibv_devinfo, as the plans' host-info step writes them, and the nodes compared. */
class HostInfoParserTest {

    static String hostInfo(String node, String kernel, String firmware) {
        return """
                Linux %s %s #115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux
                MLNX_OFED_LINUX-23.10-1.1.9.0:
                hca_id:	mlx5_0
                	transport:			InfiniBand (0)
                	fw_ver:				%s
                	node_guid:			a088:c203:0047:b5c2
                	vendor_id:			0x02c9
                	board_id:			MT_0000000838
                		port:	1
                			state:			PORT_ACTIVE (4)
                			link_layer:		InfiniBand
                hca_id:	mlx5_1
                	transport:			InfiniBand (0)
                	fw_ver:				%s
                	board_id:			MT_0000000838
                """.formatted(node, kernel, firmware, firmware);
    }

    @Test
    void readsTheStackAndNamesTheOddNode(@TempDir Path dir) throws Exception {
        for (String node : new String[] {"gpu-a01", "gpu-a02", "gpu-a03"}) {
            Path folder = Files.createDirectories(dir.resolve("results").resolve(node));
            boolean odd = node.equals("gpu-a03");
            Files.writeString(folder.resolve("host-info.txt"), hostInfo(node, odd ? "5.15.0-88-generic" : "5.15.0-105-generic",
                    odd ? "28.36.1010" : "28.39.1002"));
        }
        ToolOutput one = ToolParsers.parse(dir.resolve("results").resolve("gpu-a01").resolve("host-info.txt"));
        assertThat(one.tool()).isEqualTo("host-info");
        assertThat(one.host()).isEqualTo("gpu-a01");
        assertThat(one.measurements()).filteredOn(m -> m.name().equals("nic")).hasSize(2)
                .allSatisfy(m -> assertThat(m.labels()).containsEntry("fw_ver", "28.39.1002")
                        .containsEntry("board_id", "MT_0000000838"));
        assertThat(one.measurements()).filteredOn(m -> m.name().equals("ofed")).singleElement()
                .satisfies(m -> assertThat(m.label("ofed_version")).isEqualTo("MLNX_OFED_LINUX-23.10-1.1.9.0"));

        var evaluation = ResultsEvaluator.evaluate(dir.resolve("results"), Optional.empty());
        assertThat(evaluation.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(evaluation.findings()).filteredOn(f -> f.node().equals("gpu-a03"))
                .extracting(f -> f.check() + ": " + f.value() + " vs " + f.expected())
                .containsExactlyInAnyOrder("consistency.kernel: 5.15.0-88-generic vs 5.15.0-105-generic",
                        "consistency.nic_firmware: 28.36.1010 vs 28.39.1002");
        assertThat(evaluation.nodes()).containsEntry("gpu-a01", Verdict.PASS);
    }

    @Test
    void readsPortStatesFromIbstatAndIbstatus() {
        ToolOutput ibstat = ToolParsers.parse("ibstat.txt", """
                CA 'mlx5_0'
                	CA type: MT4129
                	Number of ports: 1
                	Firmware version: 28.39.1002
                	Hardware version: 0
                	Node GUID: 0xa088c20300e6b5c2
                	Port 1:
                		State: Active
                		Physical state: LinkUp
                		Rate: 400
                		Base lid: 12
                		Link layer: InfiniBand
                CA 'mlx5_1'
                	CA type: MT4129
                	Number of ports: 1
                	Firmware version: 28.39.1002
                	Port 1:
                		State: Down
                		Physical state: Polling
                		Rate: 10
                		Link layer: InfiniBand
                """.lines().toList());
        assertThat(ibstat.tool()).isEqualTo(HostInfoParser.TOOL);
        assertThat(ibstat.measurements()).filteredOn(m -> m.name().equals("nic")).extracting(m -> m.label("fw_ver"))
                .containsExactly("28.39.1002", "28.39.1002");
        assertThat(ibstat.measurements()).filteredOn(m -> m.name().equals("nic_port"))
                .extracting(m -> m.label("hca_id") + " " + m.label("state") + " " + m.label("link_layer") + " " + m.value())
                .containsExactly("mlx5_0 PORT_ACTIVE InfiniBand 1.0", "mlx5_1 PORT_DOWN InfiniBand 0.0");

        ToolOutput ibstatus = ToolParsers.parse("ibstatus.txt", """
                Infiniband device 'mlx5_0' port 1 status:
                	default gid:	 fe80:0000:0000:0000:a088:c203:00e6:b5c2
                	base lid:	 0xc
                	sm lid:		 0x1
                	state:		 4: ACTIVE
                	phys state:	 5: LinkUp
                	rate:		 400 Gb/sec (4X NDR)
                	link_layer:	 InfiniBand

                Infiniband device 'mlx5_1' port 1 status:
                	default gid:	 fe80:0000:0000:0000:a088:c203:00e6:b5c3
                	state:		 1: DOWN
                	phys state:	 2: Polling
                	rate:		 10 Gb/sec (4X SDR)
                	link_layer:	 InfiniBand
                """.lines().toList());
        assertThat(ibstatus.tool()).isEqualTo(HostInfoParser.TOOL);
        assertThat(ibstatus.problems()).isEmpty();
        assertThat(ibstatus.measurements()).filteredOn(m -> m.name().equals("nic_port"))
                .extracting(m -> m.label("hca_id") + " " + m.label("state") + " " + m.value())
                .containsExactly("mlx5_0 PORT_ACTIVE 1.0", "mlx5_1 PORT_DOWN 0.0");
    }
}
