package dev.pitwall.planner.schedule;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The cluster a schedule is simulated on: identical nodes, grouped into racks and racks into
 * blocks (the topology levels that topology-aware placement keeps a job within).
 *
 * @param nodes         how many
 * @param gpusPerNode   GPUs on each
 * @param cpusPerNode   CPU cores on each
 * @param memoryGbPerNode memory on each, in GB
 * @param nodesPerRack  nodes under one top-of-rack switch
 * @param racksPerBlock racks in one block (under one spine, or one NVLink domain)
 */
public record SimCluster(Integer nodes, @JsonProperty("gpus-per-node") Integer gpusPerNode,
                         @JsonProperty("cpus-per-node") Integer cpusPerNode,
                         @JsonProperty("memory-gb-per-node") Integer memoryGbPerNode,
                         @JsonProperty("nodes-per-rack") Integer nodesPerRack,
                         @JsonProperty("racks-per-block") Integer racksPerBlock) {

    /** The topology when the model names none. */
    static final int NODES_PER_RACK = 4;
    static final int RACKS_PER_BLOCK = 8;

    public SimCluster {
        gpusPerNode = gpusPerNode == null ? 8 : gpusPerNode;
        cpusPerNode = cpusPerNode == null ? 192 : cpusPerNode;
        memoryGbPerNode = memoryGbPerNode == null ? 2048 : memoryGbPerNode;
        nodesPerRack = nodesPerRack == null ? NODES_PER_RACK : nodesPerRack;
        racksPerBlock = racksPerBlock == null ? RACKS_PER_BLOCK : racksPerBlock;
        if (nodes == null || nodes < 1) {
            throw new IllegalArgumentException("nodes: found " + nodes + ", expected at least 1");
        }
        for (int[] v : new int[][] {{gpusPerNode, 0}, {cpusPerNode, 1}, {memoryGbPerNode, 1}, {nodesPerRack, 1},
                {racksPerBlock, 1}}) {
            if (v[0] < v[1]) {
                throw new IllegalArgumentException("a node's sizes and the topology's must be at least " + v[1]
                        + ", found " + v[0]);
            }
        }
    }

    public int totalGpus() {
        return nodes * gpusPerNode;
    }

    public int rackOf(int node) {
        return node / nodesPerRack;
    }

    public int blockOf(int node) {
        return node / (nodesPerRack * racksPerBlock);
    }

    public static SimCluster read(Path file) throws IOException {
        return new YAMLMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(Files.readString(file), SimCluster.class);
    }

    /** A cluster model as read, and what of the file it could not model. */
    public record Model(SimCluster cluster, List<String> notes) {
    }

    /** The columns of Alibaba's cluster-trace-gpu-v2023 node list ({@code openb_node_list_gpu_node.csv}). */
    static final List<String> ALIBABA_NODES = List.of("sn", "cpu_milli", "memory_mib", "num_gpu");

    /**
     * Reads a cluster model: Pitwall's YAML, or an Alibaba v2023 node list. The simulator's nodes
     * are alike, so from a node list the model is its most common GPU node (how many of them, their
     * GPUs, the least CPU and memory among them), and the notes say which nodes it leaves out; the
     * list has no topology, so racks and blocks are the defaults.
     */
    public static Model readModel(Path file) throws IOException {
        String text = Files.readString(file);
        List<String> header = Arrays.asList(text.lines().findFirst().orElse("").strip().split(","));
        if (!header.containsAll(ALIBABA_NODES)) {
            return new Model(read(file), List.of());
        }
        Map<Integer, List<long[]>> byGpus = new TreeMap<>();
        Map<String, Integer> models = new TreeMap<>();
        List<String> notes = new ArrayList<>();
        int cpuOnly = 0;
        List<String> lines = text.lines().skip(1).filter(l -> !l.isBlank()).toList();
        for (int n = 0; n < lines.size(); n++) {
            String[] f = lines.get(n).strip().split(",", -1);
            try {
                int gpus = Integer.parseInt(f[header.indexOf("num_gpu")]);
                long cpuMilli = Long.parseLong(f[header.indexOf("cpu_milli")]);
                long memoryMib = Long.parseLong(f[header.indexOf("memory_mib")]);
                if (gpus <= 0) {
                    cpuOnly++;
                    continue;
                }
                byGpus.computeIfAbsent(gpus, g -> new ArrayList<>()).add(new long[] {cpuMilli, memoryMib});
                int model = header.indexOf("model");
                if (model >= 0 && model < f.length && !f[model].isBlank()) {
                    models.merge(f[model] + " ×" + gpus, 1, Integer::sum);
                }
            } catch (RuntimeException e) {
                notes.add(file.getFileName() + ":" + (n + 2) + ": not a node row (" + e.getMessage() + ")");
            }
        }
        if (byGpus.isEmpty()) {
            throw new IOException(file + ": the node list has no node with GPUs");
        }
        int gpus = byGpus.entrySet().stream().max(Comparator.comparingInt((Map.Entry<Integer, List<long[]>> e)
                -> e.getValue().size()).thenComparing(Map.Entry::getKey)).orElseThrow().getKey();
        List<long[]> kept = byGpus.get(gpus);
        int cpus = (int) (kept.stream().mapToLong(v -> v[0]).min().orElseThrow() / 1000);
        int memoryGb = (int) (kept.stream().mapToLong(v -> v[1]).min().orElseThrow() / 1024);
        List<String> others = byGpus.entrySet().stream().filter(e -> e.getKey() != gpus)
                .map(e -> e.getValue().size() + " with " + e.getKey() + " GPUs").toList();
        if (!others.isEmpty()) {
            notes.add("left out " + String.join(", ", others) + ": the simulator's nodes are alike");
        }
        if (cpuOnly > 0) {
            notes.add("left out " + cpuOnly + " nodes without GPUs");
        }
        if (!models.isEmpty()) {
            notes.add("GPU nodes by model: " + models.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                    .collect(Collectors.joining(", ")));
        }
        notes.add("no topology in a node list: " + NODES_PER_RACK + " nodes a rack and " + RACKS_PER_BLOCK
                + " racks a block assumed");
        return new Model(new SimCluster(kept.size(), gpus, Math.max(1, cpus), Math.max(1, memoryGb), null, null), notes);
    }
}
