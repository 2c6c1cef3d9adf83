package dev.pitwall.sim.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingClusterTest {

    @TempDir
    Path dir;

    @Test
    void drawsFaultsInThePublishedProportions() {
        Random random = new Random(11);
        Map<TrainingCluster.Fault, Integer> counts = new EnumMap<>(TrainingCluster.Fault.class);
        int draws = 200_000;
        for (int i = 0; i < draws; i++) {
            counts.merge(TrainingCluster.Fault.draw(random), 1, Integer::sum);
        }
        double total = 0;
        for (TrainingCluster.Fault f : TrainingCluster.Fault.values()) {
            total += f.share;
        }
        // Faulty GPUs: 30.1 of the 87.3 percentage points kept (Llama 3 paper, Table 5).
        assertThat(counts.get(TrainingCluster.Fault.FAULTY_GPU) / (double) draws).isCloseTo(30.1 / total, within(0.005));
        assertThat(counts.get(TrainingCluster.Fault.GPU_HBM3) / (double) draws).isCloseTo(17.2 / total, within(0.005));
        assertThat(counts.get(TrainingCluster.Fault.GPU_THERMAL) / (double) draws).isCloseTo(1.4 / total, within(0.002));
    }

    @Test
    void writesRealFormatsAndStopsTheJobOnAFault() throws Exception {
        try (TrainingCluster cluster = TrainingCluster.manual(dir, 4, 3, Clock.systemUTC())) {
            for (int i = 0; i < 3; i++) {
                cluster.step();
            }
            String rank0 = cluster.nodes().getFirst();
            assertThat(Files.readAllLines(cluster.jobLog(rank0))).hasSize(3)
                    .allSatisfy(l -> assertThat(l).matches(" iteration +\\d+/  500000 \\| .*elapsed time per iteration \\(ms\\): "
                            + "[0-9.]+ \\| .*lm loss: [0-9.]+E\\+00 \\| .*"));

            cluster.inject(TrainingCluster.Fault.FAULTY_GPU);
            long xidNodes = cluster.nodes().stream().filter(n -> {
                try {
                    return Files.readString(cluster.kernelLog(n)).contains("): 79, pid=");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
            assertThat(xidNodes).as("one node's GPU fell off the bus").isEqualTo(1);
            for (String node : cluster.nodes()) {
                assertThat(Files.readString(cluster.jobLog(node))).contains("Watchdog caught collective operation timeout");
            }
            // The job is down: steps write nothing until it resumes from its checkpoint.
            long before = Files.readAllLines(cluster.jobLog(rank0)).size();
            for (int i = 0; i < 4; i++) {
                cluster.step();
            }
            assertThat(Files.readAllLines(cluster.jobLog(rank0))).hasSize((int) before);
            cluster.step();
            assertThat(Files.readString(cluster.jobLog(rank0))).contains("resuming training from checkpoint");

            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(cluster.metricsUri()).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("# TYPE DCGM_FI_DEV_GPU_UTIL gauge").contains("Hostname=\"gpu-c04\"")
                    .contains("pod=\"llama-pretrain-3\"");
            // dcgm-exporter's default counters on every GPU; SM activity is not among them.
            for (String field : List.of("DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_XID_ERRORS",
                    "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION")) {
                assertThat(metrics.lines().filter(l -> l.startsWith(field + "{"))).as(field).hasSize(4 * 8);
            }
            assertThat(metrics).doesNotContain("DCGM_FI_PROF_SM_ACTIVE");
            assertThat(metrics.lines().filter(l -> l.startsWith("DCGM_FI_DEV_XID_ERRORS{") && l.endsWith(" 79")))
                    .as("the GPU that fell off the bus shows its last Xid").hasSize(1);

            cluster.inject(TrainingCluster.Fault.GPU_THERMAL);
            String hot = HttpClient.newHttpClient().send(HttpRequest.newBuilder(cluster.metricsUri()).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(hot.lines().filter(l -> l.startsWith("DCGM_FI_DEV_CLOCKS_EVENT_REASONS{") && l.endsWith(" 132")))
                    .as("one GPU in HW thermal slowdown").hasSize(1);
            assertThat(cluster.injected()).containsExactly(TrainingCluster.Fault.FAULTY_GPU, TrainingCluster.Fault.GPU_THERMAL);
        }
    }
}
