package dev.pitwall.acceptance.verdict;

import dev.pitwall.acceptance.parse.Measurement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Nodes of one cluster should be alike: same driver, CUDA, VBIOS, GPU model and count, memory,
 * ECC, persistence and MIG modes. Each field's majority value across nodes is taken as
 * expected; a node that differs is named with its value and the majority's. GPUs of one node
 * that disagree among themselves make that node's value "mixed". A field the node's output does
 * not carry (nvidia-smi {@code -q -d} sections, an older driver's XML) is unknown there: that
 * node is left out of the field's comparison, never reported as differing.
 */
public final class NodeConsistency {

    /** Inventory labels of nvidia-smi's {@code gpu} measurement that must agree across nodes. */
    public static final List<String> FIELDS = List.of("product_name", "driver_version", "cuda_version",
            "vbios_version", "memory_total", "ecc_mode", "persistence_mode", "mig_mode");

    private NodeConsistency() {
    }

    /**
     * @param gpusByNode each node's {@code gpu} inventory measurements
     */
    public static List<Finding> check(Map<String, List<Measurement>> gpusByNode) {
        List<Finding> findings = new ArrayList<>();
        if (gpusByNode.size() < 2) {
            return findings;
        }
        findings.addAll(compare("gpu_count", gpusByNode, gpus -> String.valueOf(gpus.size())));
        for (String field : FIELDS) {
            findings.addAll(compare(field, gpusByNode, gpus -> agreed(gpus, field)));
        }
        return findings;
    }

    /**
     * The software stack beside the GPUs: the HCAs' firmware ({@code nic_firmware}), the OFED
     * release, the kernel and which NIC ports are down, from each node's host-info measurements.
     *
     * @param hostByNode each node's {@code nic}, {@code nic_port}, {@code ofed} and {@code kernel} measurements
     */
    public static List<Finding> checkHost(Map<String, List<Measurement>> hostByNode) {
        List<Finding> findings = new ArrayList<>();
        for (String[] field : new String[][] {{"nic_firmware", "nic", "fw_ver"}, {"ofed_version", "ofed", "ofed_version"},
                {"kernel", "kernel", "kernel"}}) {
            findings.addAll(compareHost(field[0], hostByNode, field[1], ms -> agreed(ms, field[2])));
        }
        // Ports down on every node (an uncabled second port) are the norm; one more down is a NIC,
        // cable or switch port gone.
        findings.addAll(compareHost("nic_ports_down", hostByNode, "nic_port", ms -> {
            String down = ms.stream().filter(m -> m.value() == 0)
                    .map(m -> m.label("hca_id") + " port " + m.label("port") + " (" + m.label("state") + ")")
                    .sorted().collect(Collectors.joining(", "));
            return down.isEmpty() ? "none" : down;
        }));
        return findings;
    }

    /** {@link #compare} over the nodes that report measurements named {@code measurement}, when two or more do. */
    private static List<Finding> compareHost(String field, Map<String, List<Measurement>> hostByNode, String measurement,
                                             Function<List<Measurement>, String> valueOf) {
        Map<String, List<Measurement>> reporting = new TreeMap<>();
        hostByNode.forEach((node, measurements) -> {
            List<Measurement> own = measurements.stream().filter(m -> m.name().equals(measurement)).toList();
            if (!own.isEmpty()) {
                reporting.put(node, own);
            }
        });
        return reporting.size() >= 2 ? compare(field, reporting, valueOf) : List.of();
    }

    /** The value the measurements share for {@code label}, "mixed: …" when they differ, or null when none carries it. */
    private static String agreed(List<Measurement> measurements, String label) {
        TreeSet<String> values = measurements.stream().map(m -> m.label(label))
                .filter(v -> v != null && !v.toString().isBlank()).map(Object::toString)
                .collect(Collectors.toCollection(TreeSet::new));
        if (values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.first() : "mixed: " + String.join(", ", values);
    }

    /** Nodes whose value is null (unknown) take no part; fewer than two known values compare nothing. */
    private static List<Finding> compare(String field, Map<String, List<Measurement>> gpusByNode,
                                         Function<List<Measurement>, String> valueOf) {
        Map<String, String> byNode = new TreeMap<>();
        gpusByNode.forEach((node, gpus) -> {
            String value = valueOf.apply(gpus);
            if (value != null) {
                byNode.put(node, value);
            }
        });
        if (byNode.size() < 2) {
            return List.of();
        }
        Map<String, Long> counts = byNode.values().stream()
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        String majority = counts.entrySet().stream()
                .max(Comparator.comparingLong(Map.Entry<String, Long>::getValue).thenComparing(Map.Entry::getKey,
                        Comparator.reverseOrder()))
                .orElseThrow().getKey();
        List<Finding> findings = new ArrayList<>();
        byNode.forEach((node, value) -> {
            if (!value.equals(majority)) {
                findings.add(new Finding(node, "consistency." + field, Verdict.FAIL, value, majority,
                        field + " is " + value + " on " + node + " but " + majority + " on " + counts.get(majority)
                                + " of " + byNode.size() + " nodes"));
            }
        });
        return findings;
    }
}
