package dev.pitwall.planner.estimate;

import dev.pitwall.core.catalog.GpuSpec;

/**
 * The GPUs a run gets and the links between them.
 *
 * @param gpusPerNode    GPUs that share the fast intra-node link
 * @param intraNodeGBps  per-GPU bandwidth in one direction inside a node, GB/s
 * @param interNodeGBps  per-GPU bandwidth in one direction between nodes, GB/s
 */
public record Cluster(GpuSpec gpu, int gpus, int gpusPerNode, double intraNodeGBps, double interNodeGBps) {

    /** One 400 Gb/s NIC per GPU, as in 8-GPU HGX/DGX H100 nodes with eight ConnectX-7 ports (NVIDIA DGX H100 user guide). */
    public static final double DEFAULT_INTER_NODE_GBPS = 50;
    /** PCIe 4.0 x16 in one direction (PCI-SIG: 16 GT/s x 16 lanes, 128b/130b), for GPUs without NVLink. */
    public static final double PCIE_GEN4_GBPS = 31.5;

    public Cluster {
        if (gpus < 1 || gpusPerNode < 1 || !(intraNodeGBps > 0) || !(interNodeGBps > 0)) {
            throw new IllegalArgumentException("GPU counts and link bandwidths must be positive");
        }
    }

    /** A cluster of {@code gpus} with the usual 8 GPUs a node and the GPU's own link (NVLink or its peer; half its two-way figure) inside it. */
    public static Cluster of(GpuSpec gpu, int gpus) {
        double intra = gpu.peerBandwidthGbps().map(total -> total / 2).orElse(PCIE_GEN4_GBPS);
        return new Cluster(gpu, gpus, Math.min(8, gpus), intra, DEFAULT_INTER_NODE_GBPS);
    }

    public Cluster withLinks(int newGpusPerNode, double newIntraNodeGBps, double newInterNodeGBps) {
        return new Cluster(gpu, gpus, newGpusPerNode, newIntraNodeGBps, newInterNodeGBps);
    }

    /** The link a group of {@code span} consecutive ranks talks over: inside a node while it fits in one. */
    Link link(int span) {
        return span <= gpusPerNode ? new Link("intra-node", intraNodeGBps) : new Link("inter-node", interNodeGBps);
    }

    record Link(String name, double gbps) {
    }
}
