package dev.pitwall.planner.schedule;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

    public SimCluster {
        gpusPerNode = gpusPerNode == null ? 8 : gpusPerNode;
        cpusPerNode = cpusPerNode == null ? 192 : cpusPerNode;
        memoryGbPerNode = memoryGbPerNode == null ? 2048 : memoryGbPerNode;
        nodesPerRack = nodesPerRack == null ? 4 : nodesPerRack;
        racksPerBlock = racksPerBlock == null ? 8 : racksPerBlock;
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
}
