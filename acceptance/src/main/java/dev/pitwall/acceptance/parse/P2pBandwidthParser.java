package dev.pitwall.acceptance.parse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads CUDA samples' p2pBandwidthLatencyTest: for every pair of different GPUs,
 * {@code peer_access} (1 when peer-to-peer is possible), {@code p2p_bw_unidir} and
 * {@code p2p_bw_bidir} (GB/s) and {@code p2p_latency_gpu} / {@code p2p_latency_cpu} (µs), each
 * with P2P disabled and enabled. A pair with peer access but PCIe-like bandwidth is a degraded
 * NVLink.
 */
public final class P2pBandwidthParser implements ToolParser {

    public static final String TOOL = "p2pBandwidthLatencyTest";

    private static final Pattern DEVICE = Pattern.compile("^Device: (\\d+), (.+?), pciBusID");
    private static final Pattern ACCESS = Pattern.compile("^Device=(\\d+) (CAN|CANNOT) Access Peer Device=(\\d+)");
    private static final Pattern ROW = Pattern.compile("^\\s*(\\d+)((?:\\s+[\\d.]+)+)\\s*$");

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return head.contains("P2P (Peer-to-Peer) GPU Bandwidth Latency Test");
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Measurement> measurements = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<Integer, String> gpus = new HashMap<>();
        Map<String, Boolean> peer = new HashMap<>();
        String name = null;
        boolean p2p = false;
        String unit = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m;
            if ((m = DEVICE.matcher(line)).find()) {
                gpus.put(Integer.parseInt(m.group(1)), m.group(2));
            } else if ((m = ACCESS.matcher(line)).find()) {
                boolean can = m.group(2).equals("CAN");
                peer.put(m.group(1) + ">" + m.group(3), can);
                measurements.add(new Measurement("peer_access", can ? 1 : 0, "", pair(m.group(1), m.group(3), null, gpus)));
            } else if (line.contains("Bandwidth") && line.contains("Matrix")) {
                name = line.startsWith("Unidirectional") ? "p2p_bw_unidir" : line.startsWith("Bidirectional") ? "p2p_bw_bidir" : null;
                p2p = line.contains("P2P=Enabled");
                unit = "GB/s";
            } else if (line.contains("Latency") && line.contains("Matrix")) {
                name = "p2p_latency_gpu";
                p2p = line.contains("P2P=Enabled");
                unit = "us";
            } else if (line.strip().startsWith("CPU") && "p2p_latency_gpu".equals(name)) {
                name = "p2p_latency_cpu";
            } else if (line.startsWith("P2P Connectivity Matrix")) {
                name = null; // the connectivity matrix repeats what the access lines said
            } else if (name != null && (m = ROW.matcher(line)).find()) {
                String[] values = m.group(2).strip().split("\\s+");
                String src = m.group(1);
                for (int dst = 0; dst < values.length; dst++) {
                    if (String.valueOf(dst).equals(src)) {
                        continue; // the diagonal is a GPU copying to itself
                    }
                    try {
                        Map<String, Object> labels = pair(src, String.valueOf(dst), p2p, gpus);
                        labels.put("peer", peer.getOrDefault(src + ">" + dst, false));
                        measurements.add(new Measurement(name, Double.parseDouble(values[dst]), unit, labels));
                    } catch (NumberFormatException e) {
                        problems.add(new Problem(i + 1, line.strip(), "'" + values[dst] + "' is not a number"));
                    }
                }
            }
        }
        if (measurements.stream().noneMatch(x -> x.name().startsWith("p2p_bw"))) {
            problems.add(new Problem(0, "", "no bandwidth matrix: the test stopped before measuring"));
        }
        return new ToolOutput(file, TOOL, null, measurements, List.of(), problems);
    }

    private static Map<String, Object> pair(String src, String dst, Boolean p2p, Map<Integer, String> gpus) {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("src", Integer.parseInt(src));
        labels.put("dst", Integer.parseInt(dst));
        if (p2p != null) {
            labels.put("p2p", p2p);
        }
        String model = gpus.get(Integer.parseInt(src));
        if (model != null) {
            labels.put("gpu", model);
        }
        return labels;
    }
}
