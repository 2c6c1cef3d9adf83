package dev.pitwall.acceptance.parse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads perftest output: ib_write_bw, ib_read_bw, ib_send_bw (per message size {@code bw_peak}
 * and {@code bw_average} in MB/s, {@code msg_rate} in Mpps) and ib_write_lat ({@code lat_typical},
 * {@code lat_avg}, {@code lat_p99}, {@code lat_p999} in µs). Server and client output often share
 * one file, even interleaved line by line; a row both sides report is counted once.
 */
public final class PerftestParser implements ToolParser {

    public static final String TOOL = "perftest";

    private static final Pattern TITLE = Pattern.compile("(RDMA_Write|RDMA_Read|Send)\\s+(BW|Latency|Lat)\\s+Test");
    private static final Pattern DEVICE = Pattern.compile("Device\\s*:\\s*(\\S+)");
    private static final Pattern LINK = Pattern.compile("Link type\\s*:\\s*(\\S+)");
    private static final Pattern NUMBERS_ROW = Pattern.compile("^\\s*\\d+\\s+\\d+\\s+[\\d.]+");

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return TITLE.matcher(head).find() && head.contains("#bytes");
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Measurement> measurements = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Set<String> seenRows = new HashSet<>();
        String test = null;
        String device = null;
        String link = null;
        boolean latency = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m;
            if ((m = TITLE.matcher(line)).find()) {
                latency = !m.group(2).equals("BW");
                test = switch (m.group(1)) {
                    case "RDMA_Write" -> latency ? "ib_write_lat" : "ib_write_bw";
                    case "RDMA_Read" -> latency ? "ib_read_lat" : "ib_read_bw";
                    default -> latency ? "ib_send_lat" : "ib_send_bw";
                };
            }
            if ((m = DEVICE.matcher(line)).find()) {
                device = m.group(1);
            }
            if ((m = LINK.matcher(line)).find()) {
                link = m.group(1);
            }
            if (test == null || !NUMBERS_ROW.matcher(line).find()) {
                continue;
            }
            String[] f = line.strip().split("\\s+");
            int expected = latency ? 9 : 5;
            if (f.length < expected) {
                problems.add(new Problem(i + 1, line.strip(), "a result row with " + f.length + " columns; "
                        + test + " rows have " + expected));
                continue;
            }
            if (!seenRows.add(test + " " + String.join(" ", f))) {
                continue; // the other side's copy of the same row
            }
            try {
                Map<String, Object> labels = new LinkedHashMap<>();
                labels.put("test", test);
                labels.put("size_bytes", Long.parseLong(f[0]));
                labels.put("iterations", Long.parseLong(f[1]));
                if (device != null) {
                    labels.put("device", device);
                }
                if (link != null) {
                    labels.put("link_type", link);
                }
                if (latency) {
                    measurements.add(new Measurement("lat_typical", Double.parseDouble(f[4]), "us", labels));
                    measurements.add(new Measurement("lat_avg", Double.parseDouble(f[5]), "us", labels));
                    measurements.add(new Measurement("lat_p99", Double.parseDouble(f[7]), "us", labels));
                    measurements.add(new Measurement("lat_p999", Double.parseDouble(f[8]), "us", labels));
                } else {
                    measurements.add(new Measurement("bw_peak", Double.parseDouble(f[2]), "MB/s", labels));
                    measurements.add(new Measurement("bw_average", Double.parseDouble(f[3]), "MB/s", labels));
                    measurements.add(new Measurement("msg_rate", Double.parseDouble(f[4]), "Mpps", labels));
                }
            } catch (NumberFormatException e) {
                problems.add(new Problem(i + 1, line.strip(), "a result row with a value that is not a number"));
            }
        }
        if (test != null && measurements.isEmpty() && problems.isEmpty()) {
            problems.add(new Problem(0, "", test + ": no result rows; the run stopped or failed before measuring"));
        }
        return new ToolOutput(file, TOOL, null, measurements, List.of(), problems);
    }
}
