package dev.pitwall.sim.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceptanceOutputsTest {

    @TempDir
    Path dir;

    @Test
    void writesEachNodesToolOutputsWithTheFaultsAskedFor() throws Exception {
        AcceptanceOutputs.write(dir, AcceptanceOutputs.demoCluster(), 7);
        assertThat(Files.list(dir)).hasSize(8);
        assertThat(dir.resolve("gpu-b06/gpu_burn.log")).content().contains("\tGPU 5: FAULTY");
        assertThat(dir.resolve("gpu-b01/gpu_burn.log")).content().doesNotContain("FAULTY");
        assertThat(dir.resolve("gpu-b07/nvidia-smi.xml")).content().contains("<driver_version>535.183.01</driver_version>");
        assertThat(dir.resolve("gpu-b01/all_reduce_perf.log")).content().contains("# Avg bus bandwidth").contains("on gpu-b01");
    }

    @Test
    void writesTheSameRunForTheSameSeed() throws Exception {
        AcceptanceOutputs.write(dir.resolve("a"), AcceptanceOutputs.demoCluster(), 7);
        AcceptanceOutputs.write(dir.resolve("b"), AcceptanceOutputs.demoCluster(), 7);
        assertThat(dir.resolve("a/gpu-b03/all_reduce_perf.log")).hasSameTextualContentAs(dir.resolve("b/gpu-b03/all_reduce_perf.log"));
    }
}
