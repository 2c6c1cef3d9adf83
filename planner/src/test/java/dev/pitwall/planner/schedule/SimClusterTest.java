package dev.pitwall.planner.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cluster models from Pitwall's YAML and from Alibaba's v2023 node list, saying what they leave out. */
class SimClusterTest {

    @TempDir
    Path dir;

    @Test
    void aNodeListIsModelledByItsMostCommonGpuNodeAndSaysWhatItLeftOut() throws Exception {
        // The v2023 node list's columns (sn, cpu_milli, memory_mib, num_gpu, model), rows as the trace writes them.
        Path nodes = Files.writeString(dir.resolve("openb_node_list_gpu_node.csv"), """
                sn,cpu_milli,memory_mib,num_gpu,model
                openb-node-0227,96000,786432,8,V100M32
                openb-node-0228,96000,786432,8,V100M32
                openb-node-0229,64000,262144,8,A10
                openb-node-0230,96000,393216,2,P100
                openb-node-0231,32000,131072,0,
                openb-node-0232,ninety,786432,8,V100M32
                """);
        SimCluster.Model model = SimCluster.readModel(nodes);

        assertThat(model.cluster().nodes()).isEqualTo(3);
        assertThat(model.cluster().gpusPerNode()).isEqualTo(8);
        assertThat(model.cluster().cpusPerNode()).isEqualTo(64);
        assertThat(model.cluster().memoryGbPerNode()).isEqualTo(256);
        assertThat(model.notes()).anySatisfy(n -> assertThat(n).isEqualTo("left out 1 with 2 GPUs: the simulator's nodes are alike"))
                .anySatisfy(n -> assertThat(n).isEqualTo("left out 1 nodes without GPUs"))
                .anySatisfy(n -> assertThat(n).startsWith("openb_node_list_gpu_node.csv:7: not a node row"))
                .anySatisfy(n -> assertThat(n).contains("2 V100M32 ×8").contains("1 A10 ×8"))
                .anySatisfy(n -> assertThat(n).contains("4 nodes a rack and 8 racks a block assumed"));
    }

    @Test
    void yamlIsReadAsItIsAndANodeListWithoutGpuNodesIsRefused() throws Exception {
        Path yaml = Files.writeString(dir.resolve("cluster.yaml"), "nodes: 16\ngpus-per-node: 4\n");
        SimCluster.Model model = SimCluster.readModel(yaml);
        assertThat(model.cluster().totalGpus()).isEqualTo(64);
        assertThat(model.notes()).isEmpty();

        Path cpus = Files.writeString(dir.resolve("cpu.csv"), "sn,cpu_milli,memory_mib,num_gpu,model\nn1,96000,1024,0,\n");
        assertThatThrownBy(() -> SimCluster.readModel(cpus)).isInstanceOf(IOException.class)
                .hasMessageContaining("has no node with GPUs");
    }
}
