package dev.pitwall.acceptance.report;

import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where to look first, from the pattern of a node's findings: slow collectives with healthy
 * GPUs point at the network, slow GPUs at cooling or power, a different driver at the image.
 */
public final class RootCauseHints {

    private RootCauseHints() {
    }

    public static Map<String, List<String>> of(List<Finding> findings) {
        Map<String, List<Finding>> byNode = findings.stream().filter(f -> f.verdict() != Verdict.PASS)
                .collect(Collectors.groupingBy(Finding::node, TreeMap::new, Collectors.toList()));
        Map<String, List<String>> hints = new TreeMap<>();
        byNode.forEach((node, own) -> {
            List<String> out = new ArrayList<>();
            boolean slowCollectives = own.stream().anyMatch(f -> f.check().contains(".nccl."));
            boolean slowGpus = own.stream().anyMatch(f -> f.check().contains("gflops") || f.check().equals("tool.gpu-burn"));
            boolean slowNetwork = own.stream().anyMatch(f -> f.check().contains(".perftest."));
            boolean ncclFailure = own.stream().anyMatch(f -> f.check().equals("tool.nccl-tests"));
            if (slowCollectives && !slowGpus && !slowNetwork) {
                out.add("NCCL bus bandwidth is low while the GPUs look healthy: check the node's NVLink/NVSwitch "
                        + "(nvidia-smi nvlink -s) and, for multi-node runs, its NICs, cables and leaf switch ports");
            }
            if (slowNetwork) {
                out.add("RDMA bandwidth is low: check the port's state and speed (ibstat), its cable, and the PCIe "
                        + "link of the NIC (lspci -vv: width and speed)");
            }
            if (slowGpus) {
                out.add("A GPU is slow or faulty: check temperatures, power and clock throttle reasons "
                        + "(nvidia-smi -q -d PERFORMANCE,TEMPERATURE,POWER) and the kernel log for Xid errors");
            }
            if (ncclFailure) {
                out.add("NCCL reported a failure (often a remote process or network error): check the fabric "
                        + "links of this node and its peers, then rerun");
            }
            if (own.stream().anyMatch(f -> f.check().startsWith("consistency.driver_version")
                    || f.check().startsWith("consistency.cuda_version") || f.check().startsWith("consistency.vbios_version"))) {
                out.add("Software or firmware differs from the rest of the fleet: re-image or update the node to match");
            }
            if (own.stream().anyMatch(f -> f.check().equals("consistency.nic_ports_down"))) {
                out.add("A NIC port is down where the rest of the fleet has it up: check its cable and transceiver, "
                        + "the leaf switch port, and the link's state and speed (ibstat)");
            }
            if (own.stream().anyMatch(f -> f.check().equals("consistency.gpu_count")
                    || f.check().equals("baseline.nvidia-smi.gpu_count"))) {
                out.add("GPUs are missing: a GPU fell off the bus or is hidden (dmesg for Xid 79, lspci for the device)");
            }
            if (!out.isEmpty()) {
                hints.put(node, out);
            }
        });
        return hints;
    }
}
