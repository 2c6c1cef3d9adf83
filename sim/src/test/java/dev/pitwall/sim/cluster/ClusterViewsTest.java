package dev.pitwall.sim.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated cluster's exporter outputs and kubectl snapshot, laid out as Pitwall's checks read them. */
class ClusterViewsTest {

    @TempDir
    Path dir;

    @Test
    void eachNodeGetsItsOwnGpusAndTheClusterItsKubernetesAndSchedulerSeries() throws Exception {
        try (TrainingCluster cluster = TrainingCluster.manual(dir.resolve("logs"), 4, 3, Clock.systemUTC())) {
            ClusterViews.writeScrapes(cluster, dir.resolve("round"));
            ClusterViews.writeSchedulerSnapshot(cluster, dir.resolve("snapshot"), Instant.parse("2026-12-01T08:00:00Z"));
        }
        String c02 = Files.readString(dir.resolve("round/gpu-c02/dcgm-exporter.prom"));
        assertThat(c02.lines().filter(l -> l.startsWith("DCGM_FI_DEV_GPU_UTIL{"))).hasSize(8)
                .allMatch(l -> l.contains("Hostname=\"gpu-c02\""));
        assertThat(Files.readString(dir.resolve("round/gpu-c02/node-exporter.prom")))
                .contains("node_infiniband_port_data_received_bytes_total{device=\"mlx5_7\",port=\"1\"}");
        String ksm = Files.readString(dir.resolve("round/cluster/kube-state-metrics.prom"));
        for (String node : List.of("gpu-c01", "gpu-c04")) {
            assertThat(ksm).contains("kube_node_status_allocatable{node=\"" + node + "\",resource=\"nvidia_com_gpu\"");
        }
        assertThat(Files.readString(dir.resolve("round/cluster/kueue.prom")))
                .contains("kueue_cluster_queue_nominal_quota{cluster_queue=\"research\"").contains("} 32");

        String snapshot = Files.readString(dir.resolve("snapshot/cluster.json"));
        assertThat(snapshot).contains("\"kind\":\"Node\",\"metadata\":{\"name\":\"gpu-c04\"")
                .contains("\"cloud.provider.com/topology-rack\":\"rack-2\"")
                .contains("\"kueue.x-k8s.io/pod-group-total-count\":\"4\"");
        assertThat(snapshot.split("\"kind\":\"Pod\"")).hasSize(5);
        assertThat(Files.readString(dir.resolve("snapshot/topologies.json"))).contains("\"kind\":\"Topology\"");
        assertThat(Files.readString(dir.resolve("snapshot/queues.json"))).contains("\"nominalQuota\":\"32\"")
                .contains("\"kind\":\"LocalQueue\"");
    }
}
