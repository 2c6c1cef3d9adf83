package dev.pitwall.sim.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * What the simulated training cluster's monitoring and API server would answer, written the way
 * an operator collects them for Pitwall's checks: a round of exporter outputs
 * ({@code <node>/dcgm-exporter.prom}, {@code <node>/node-exporter.prom},
 * {@code cluster/kube-state-metrics.prom}, {@code cluster/kueue.prom}) and a scheduling snapshot
 * in {@code kubectl get … -o json} form (its nodes in two blocks of two racks, the training job as
 * a Kueue pod group, the Kueue Topology, the job's ClusterQueue and LocalQueue).
 */
public final class ClusterViews {

    static final String BLOCK = "cloud.provider.com/topology-block";
    static final String RACK = "cloud.provider.com/topology-rack";
    static final String QUEUE = "research";
    private static final int NODES_PER_RACK = 2;
    private static final int RACKS_PER_BLOCK = 2;

    private ClusterViews() {
    }

    /** Writes one round of the cluster's exporter outputs under {@code folder}. */
    public static void writeScrapes(TrainingCluster cluster, Path folder) throws IOException {
        List<String> nodes = cluster.nodes();
        String dcgm = cluster.exposition();
        for (String node : nodes) {
            Path dir = Files.createDirectories(folder.resolve(node));
            // dcgm-exporter runs on each node and sees only that node's GPUs.
            StringBuilder own = new StringBuilder();
            for (String line : dcgm.split("\n")) {
                if (line.startsWith("#") || line.contains("Hostname=\"" + node + "\"")) {
                    own.append(line).append('\n');
                }
            }
            Files.writeString(dir.resolve("dcgm-exporter.prom"), own);
            Files.writeString(dir.resolve("node-exporter.prom"), nodeExporter(nodes.indexOf(node)));
        }
        Path clusterDir = Files.createDirectories(folder.resolve("cluster"));
        Files.writeString(clusterDir.resolve("kube-state-metrics.prom"), kubeStateMetrics(nodes));
        Files.writeString(clusterDir.resolve("kueue.prom"), kueue(nodes.size()));
    }

    /** Writes the scheduling snapshot under {@code folder}: {@code cluster.json}, {@code topologies.json}, {@code queues.json}. */
    public static void writeSchedulerSnapshot(TrainingCluster cluster, Path folder, Instant jobStarted)
            throws IOException {
        Files.createDirectories(folder);
        List<String> nodes = cluster.nodes();
        List<String> items = new ArrayList<>();
        for (int n = 0; n < nodes.size(); n++) {
            items.add("""
                    {"apiVersion":"v1","kind":"Node","metadata":{"name":"%s","labels":{"kubernetes.io/hostname":"%s",\
                    "%s":"%s","%s":"%s","nvidia.com/gpu.product":"NVIDIA-H100-80GB-HBM3"}},\
                    "spec":{},"status":{"capacity":{"cpu":"192","nvidia.com/gpu":"8"},\
                    "allocatable":{"cpu":"190","nvidia.com/gpu":"8"},\
                    "conditions":[{"type":"Ready","status":"True"}]}}""".formatted(nodes.get(n), nodes.get(n), BLOCK,
                    block(n), RACK, rack(n)));
        }
        for (int n = 0; n < nodes.size(); n++) {
            items.add("""
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"llama-pretrain-%d","namespace":"research",\
                    "labels":{"kueue.x-k8s.io/queue-name":"%s","kueue.x-k8s.io/pod-group-name":"llama-pretrain"},\
                    "annotations":{"kueue.x-k8s.io/pod-group-total-count":"%d"}},\
                    "spec":{"nodeName":"%s","priorityClassName":"training",\
                    "containers":[{"name":"pytorch","image":"nvcr.io/nvidia/pytorch:24.05-py3",\
                    "resources":{"limits":{"nvidia.com/gpu":"8"},"requests":{"nvidia.com/gpu":"8"}}}]},\
                    "status":{"phase":"Running","startTime":"%s"}}""".formatted(n, QUEUE, nodes.size(), nodes.get(n),
                    jobStarted));
        }
        Files.writeString(folder.resolve("cluster.json"), "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[\n"
                + String.join(",\n", items) + "\n]}\n");
        Files.writeString(folder.resolve("topologies.json"), """
                {"apiVersion":"v1","kind":"List","items":[
                {"apiVersion":"kueue.x-k8s.io/v1alpha1","kind":"Topology","metadata":{"name":"default"},
                 "spec":{"levels":[{"nodeLabel":"%s"},{"nodeLabel":"%s"},{"nodeLabel":"kubernetes.io/hostname"}]}}
                ]}
                """.formatted(BLOCK, RACK));
        Files.writeString(folder.resolve("queues.json"), """
                {"apiVersion":"v1","kind":"List","items":[
                {"apiVersion":"kueue.x-k8s.io/v1beta1","kind":"ClusterQueue","metadata":{"name":"%1$s"},
                 "spec":{"namespaceSelector":{},"resourceGroups":[{"coveredResources":["nvidia.com/gpu"],
                  "flavors":[{"name":"h100","resources":[{"name":"nvidia.com/gpu","nominalQuota":"%2$d"}]}]}]}},
                {"apiVersion":"kueue.x-k8s.io/v1beta1","kind":"LocalQueue","metadata":{"name":"%1$s","namespace":"research"},
                 "spec":{"clusterQueue":"%1$s"}}
                ]}
                """.formatted(QUEUE, nodes.size() * TrainingCluster.GPUS_PER_NODE));
    }

    private static String block(int node) {
        return "block-" + (char) ('a' + node / (NODES_PER_RACK * RACKS_PER_BLOCK));
    }

    private static String rack(int node) {
        return "rack-" + (node / NODES_PER_RACK + 1);
    }

    private static String nodeExporter(int n) {
        StringBuilder out = new StringBuilder();
        family(out, "node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.", 2,
                i -> String.format(Locale.ROOT, "{cpu=\"0\",mode=\"%s\"} %.2f", i == 0 ? "idle" : "user",
                        i == 0 ? 812_345.67 + n : 181_234.5 + n));
        family(out, "node_memory_MemAvailable_bytes", "gauge", "Memory information field MemAvailable_bytes.", 1,
                i -> " 1.6234567e+12");
        family(out, "node_filesystem_avail_bytes", "gauge", "Filesystem space available to non-root users in bytes.", 1,
                i -> "{device=\"/dev/nvme0n1p2\",fstype=\"ext4\",mountpoint=\"/\"} 8.1e+11");
        family(out, "node_network_receive_bytes_total", "counter", "Network device statistic receive_bytes.", 1,
                i -> "{device=\"eth0\"} 5.1234e+12");
        family(out, "node_network_transmit_bytes_total", "counter", "Network device statistic transmit_bytes.", 1,
                i -> "{device=\"eth0\"} 4.8765e+12");
        family(out, "node_load1", "gauge", "1m load average.", 1, i -> " 24.5");
        family(out, "node_infiniband_port_data_received_bytes_total", "counter",
                "Number of data octets received on all links", 8,
                i -> "{device=\"mlx5_" + i + "\",port=\"1\"} 9.87e+14");
        family(out, "node_infiniband_port_data_transmitted_bytes_total", "counter",
                "Number of data octets transmitted on all links", 8,
                i -> "{device=\"mlx5_" + i + "\",port=\"1\"} 9.65e+14");
        return out.toString();
    }

    private static String kubeStateMetrics(List<String> nodes) {
        StringBuilder out = new StringBuilder();
        int count = nodes.size();
        family(out, "kube_node_info", "gauge", "Information about a cluster node.", count, i -> String.format(Locale.ROOT,
                "{node=\"%s\",kernel_version=\"5.15.0-105-generic\",os_image=\"Ubuntu 22.04.4 LTS\","
                        + "container_runtime_version=\"containerd://1.7.13\",kubelet_version=\"v1.29.4\","
                        + "internal_ip=\"10.0.3.%d\"} 1", nodes.get(i), 11 + i));
        for (String family : List.of("kube_node_status_capacity", "kube_node_status_allocatable")) {
            family(out, family, "gauge", "The " + (family.endsWith("capacity") ? "capacity" : "allocatable")
                            + " for different resources of a node.", count,
                    i -> "{node=\"" + nodes.get(i) + "\",resource=\"nvidia_com_gpu\",unit=\"integer\"} 8");
        }
        family(out, "kube_node_status_condition", "gauge", "The condition of a cluster node.", count,
                i -> "{node=\"" + nodes.get(i) + "\",condition=\"Ready\",status=\"true\"} 1");
        family(out, "kube_node_spec_unschedulable", "gauge", "Whether a node can schedule new pods.", count,
                i -> "{node=\"" + nodes.get(i) + "\"} 0");
        family(out, "kube_pod_info", "gauge", "Information about pod.", count, i -> String.format(Locale.ROOT,
                "{namespace=\"research\",pod=\"llama-pretrain-%d\",uid=\"%04x\",host_ip=\"10.0.3.%d\",node=\"%s\","
                        + "created_by_kind=\"Job\",created_by_name=\"llama-pretrain\",priority_class=\"training\"} 1",
                i, i, 11 + i, nodes.get(i)));
        family(out, "kube_pod_status_phase", "gauge", "The pods current phase.", count, i -> String.format(Locale.ROOT,
                "{namespace=\"research\",pod=\"llama-pretrain-%d\",uid=\"%04x\",phase=\"Running\"} 1", i, i));
        family(out, "kube_pod_container_resource_requests", "gauge",
                "The number of requested request resource by a container.", count, i -> String.format(Locale.ROOT,
                        "{namespace=\"research\",pod=\"llama-pretrain-%d\",uid=\"%04x\",container=\"pytorch\","
                                + "node=\"%s\",resource=\"nvidia_com_gpu\",unit=\"integer\"} 8", i, i, nodes.get(i)));
        return out.toString();
    }

    private static String kueue(int nodes) {
        StringBuilder out = new StringBuilder();
        String queue = "cluster_queue=\"" + QUEUE + "\"";
        family(out, "kueue_pending_workloads", "gauge", "The number of pending workloads, per cluster_queue and status.",
                2, i -> "{" + queue + ",status=\"" + (i == 0 ? "active" : "inadmissible") + "\"} 0");
        family(out, "kueue_admitted_active_workloads", "gauge",
                "The number of admitted workloads that are active (unsuspended and not finished), per cluster_queue", 1,
                i -> "{" + queue + "} 1");
        family(out, "kueue_cluster_queue_resource_usage", "gauge", "Reports the cluster_queue's total resource usage", 1,
                i -> "{" + queue + ",cohort=\"\",flavor=\"h100\",resource=\"nvidia.com/gpu\"} " + nodes * 8);
        family(out, "kueue_cluster_queue_nominal_quota", "gauge", "Reports the cluster_queue's resource nominal quota",
                1, i -> "{" + queue + ",cohort=\"\",flavor=\"h100\",resource=\"nvidia.com/gpu\"} " + nodes * 8);
        out.append("# HELP kueue_admission_wait_time_seconds The time between a workload was created or requeued until "
                + "admission, per cluster_queue\n# TYPE kueue_admission_wait_time_seconds histogram\n");
        out.append("kueue_admission_wait_time_seconds_bucket{").append(queue).append(",le=\"1\"} 0\n");
        out.append("kueue_admission_wait_time_seconds_bucket{").append(queue).append(",le=\"10\"} 1\n");
        out.append("kueue_admission_wait_time_seconds_bucket{").append(queue).append(",le=\"+Inf\"} 1\n");
        out.append("kueue_admission_wait_time_seconds_sum{").append(queue).append("} 4.2\n");
        out.append("kueue_admission_wait_time_seconds_count{").append(queue).append("} 1\n");
        return out.toString();
    }

    private static void family(StringBuilder out, String name, String type, String help, int samples,
                               IntFunction<String> sample) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (int i = 0; i < samples; i++) {
            out.append(name).append(sample.apply(i)).append('\n');
        }
    }
}
