package dev.pitwall.acceptance.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a node's software stack says of itself, for node consistency: {@code ibv_devinfo},
 * {@code ibstat} or {@code ibstatus} (each HCA's firmware and board, each port's state),
 * {@code ofed_info -s} (the OFED / DOCA-OFED release) and {@code uname -a} (the kernel). One file may hold any of them, one after another. Each HCA
 * gives a {@code nic} measurement, each of its ports a {@code nic_port} with its state and link
 * layer, whose labels are the fields compared across nodes.
 */
public final class HostInfoParser implements ToolParser {

    public static final String TOOL = "host-info";

    private static final Pattern HCA = Pattern.compile("^hca_id:\\s*(\\S+)");
    private static final Pattern FIELD = Pattern.compile("^\\s+(fw_ver|board_id|transport):\\s*(.+?)\\s*$");
    private static final Pattern PORT = Pattern.compile("^\\s+port:\\s*(\\d{1,3})\\s*$");
    /** "state: PORT_ACTIVE (4)" and "link_layer: InfiniBand", inside a port. */
    private static final Pattern PORT_FIELD = Pattern.compile("^\\s+(state|link_layer):\\s*(\\S+)");
    /** ibstat: "CA 'mlx5_0'", then "Firmware version: 28.39.1002", "Port 1:", "State: Active", "Link layer: InfiniBand". */
    private static final Pattern IBSTAT_CA = Pattern.compile("^CA '([^']+)'");
    private static final Pattern IBSTAT_PORT = Pattern.compile("^\\s+Port (\\d{1,3}):\\s*$");
    private static final Pattern IBSTAT_FIELD = Pattern.compile("^\\s+(Firmware version|State|Link layer):\\s*(.+?)\\s*$");
    /** ibstatus: "Infiniband device 'mlx5_0' port 1 status:", then "state: 4: ACTIVE", "link_layer: InfiniBand". */
    private static final Pattern IBSTATUS_PORT = Pattern.compile("^Infiniband device '([^']+)' port (\\d{1,3}) status:");
    private static final Pattern IBSTATUS_FIELD = Pattern.compile("^\\s+(state|link_layer):\\s*(?:\\d+:\\s*)?(\\S+)");
    /** "MLNX_OFED_LINUX-23.10-1.1.9.0:" or "OFED-internal-24.04-0.6.6:" */
    private static final Pattern OFED = Pattern.compile("^((?:MLNX_OFED_LINUX|OFED-internal|DOCA-OFED)[-\\w.]*?):?\\s*$");
    /** "Linux gpu-a01 5.15.0-105-generic #115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024 x86_64 ..." */
    private static final Pattern UNAME = Pattern.compile("^Linux (\\S+) (\\S+) #");

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return head.contains("hca_id:") || IBSTAT_CA.matcher(head).find() || head.lines().anyMatch(l ->
                IBSTAT_CA.matcher(l).find() || IBSTATUS_PORT.matcher(l).find()) || head.lines().anyMatch(l -> OFED.matcher(l.strip()).matches()
                || UNAME.matcher(l).find());
    }

    private static void addNic(List<Measurement> measurements, Map<String, Object> hca) {
        if (hca != null) {
            measurements.add(new Measurement("nic", 1, "hca", hca));
        }
    }

    /** A port state as ibv_devinfo names it, whichever tool wrote it: "Active" and "ACTIVE" are PORT_ACTIVE. */
    private static String portState(String state) {
        String upper = state.toUpperCase(java.util.Locale.ROOT);
        return upper.startsWith("PORT_") ? upper : "PORT_" + (upper.equals("INITIALIZING") ? "INIT" : upper);
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Measurement> measurements = new ArrayList<>();
        String host = null;
        Map<String, Object> hca = null;
        Map<String, Object> port = null;
        List<Map<String, Object>> ports = new ArrayList<>();
        for (String line : lines) {
            Matcher m;
            // ibv_devinfo's "hca_id:" and "port:" lines, or ibstat's "CA '…'" and "Port N:".
            if ((m = HCA.matcher(line)).find() || (m = IBSTAT_CA.matcher(line)).find()) {
                addNic(measurements, hca);
                hca = new LinkedHashMap<>();
                hca.put("hca_id", m.group(1));
                port = null;
            } else if (hca != null && ((m = PORT.matcher(line)).find() || (m = IBSTAT_PORT.matcher(line)).find())) {
                port = new LinkedHashMap<>();
                port.put("hca_id", hca.get("hca_id"));
                port.put("port", Integer.parseInt(m.group(1)));
                ports.add(port);
            } else if (hca != null && port != null && (m = PORT_FIELD.matcher(line)).find()) {
                port.put(m.group(1), m.group(2));
            } else if (hca != null && (m = FIELD.matcher(line)).find()) {
                hca.put(m.group(1), m.group(2));
            } else if (hca != null && (m = IBSTAT_FIELD.matcher(line)).find()) {
                switch (m.group(1)) {
                    case "Firmware version" -> hca.put("fw_ver", m.group(2));
                    case "State" -> {
                        if (port != null) {
                            port.put("state", portState(m.group(2)));
                        }
                    }
                    default -> {
                        if (port != null) {
                            port.put("link_layer", m.group(2));
                        }
                    }
                }
            } else if ((m = IBSTATUS_PORT.matcher(line)).find()) {
                hca = null;
                port = new LinkedHashMap<>();
                port.put("hca_id", m.group(1));
                port.put("port", Integer.parseInt(m.group(2)));
                ports.add(port);
            } else if (hca == null && port != null && (m = IBSTATUS_FIELD.matcher(line)).find()) {
                port.put(m.group(1), m.group(1).equals("state") ? portState(m.group(2)) : m.group(2));
            } else if ((m = OFED.matcher(line.strip())).matches()) {
                measurements.add(new Measurement("ofed", 1, "release", Map.of("ofed_version", m.group(1))));
            } else if ((m = UNAME.matcher(line)).find()) {
                host = m.group(1);
                measurements.add(new Measurement("kernel", 1, "release", Map.of("kernel", m.group(2))));
            }
        }
        addNic(measurements, hca);
        ports.forEach(p -> measurements.add(new Measurement("nic_port", "PORT_ACTIVE".equals(p.get("state")) ? 1 : 0, "active", p)));
        List<Problem> problems = measurements.isEmpty()
                ? List.of(new Problem(0, "", "neither ibv_devinfo, ibstat, ibstatus, ofed_info -s nor uname -a output"))
                : List.of();
        return new ToolOutput(file, TOOL, host, measurements, List.of(), problems);
    }
}
