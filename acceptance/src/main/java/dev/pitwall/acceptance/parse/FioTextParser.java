package dev.pitwall.acceptance.parse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads fio's default text output (fio 3.x), into the measurements its JSON gives
 * ({@link FioJsonParser}): per job and direction {@code iops}, {@code bandwidth} (B/s),
 * {@code lat_mean} and {@code lat_p99} (us, completion latency when total latency is not
 * printed), and per disk {@code disk_util} (%). A job's error is a warning.
 */
public final class FioTextParser implements ToolParser {

    private static final Pattern JOB_OPTIONS = Pattern.compile(
            "^(\\S+): \\(g=\\d+\\): rw=(\\w+), bs=\\(R\\) ([^-,]+)-.*?ioengine=([\\w.]+), iodepth=(\\d+)");
    private static final Pattern JOB = Pattern.compile("^(\\S+): \\(groupid=\\d+, jobs=(\\d+)\\): err=\\s*(\\d+)");
    private static final Pattern DIRECTION = Pattern.compile(
            "^\\s+(read|write|trim): IOPS=([\\d.]+)([kMG]?), BW=([\\d.]+)([KMGTk]i?B|B)/s");
    private static final Pattern LATENCY = Pattern.compile("^\\s+(c?lat) \\((nsec|usec|msec)\\): .*?avg=\\s*([\\d.]+)");
    private static final Pattern PERCENTILES = Pattern.compile("^\\s+clat percentiles \\((nsec|usec|msec)\\):");
    private static final Pattern P99 = Pattern.compile("99\\.00th=\\[\\s*(\\d+)\\]");
    private static final Pattern DISK = Pattern.compile("^\\s+(\\S+): ios=.*util=([\\d.]+)%");

    @Override
    public String tool() {
        return FioJsonParser.TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return head.contains("(groupid=") && head.contains("): err=");
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Measurement> measurements = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<String, Map<String, Object>> optionsByJob = new HashMap<>();
        String job = null;
        String jobs = "1";
        Map<String, Object> labels = null;
        double latencyMean = Double.NaN;
        String latencyKind = "";
        String percentileUnit = null;
        boolean anyDirection = false;
        boolean disks = false;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            Matcher m;
            if ((m = JOB_OPTIONS.matcher(line)).find()) {
                Map<String, Object> options = new LinkedHashMap<>();
                options.put("rw", m.group(2));
                options.put("bs", m.group(3));
                options.put("iodepth", m.group(5));
                options.put("ioengine", m.group(4));
                optionsByJob.putIfAbsent(m.group(1), options);
            } else if ((m = JOB.matcher(line)).find()) {
                job = m.group(1);
                jobs = m.group(2);
                if (!m.group(3).equals("0")) {
                    warnings.add(new Problem(n + 1, line.strip(), "fio reported error " + m.group(3) + " for job " + job));
                }
            } else if (job != null && (m = DIRECTION.matcher(line)).find()) {
                flush(measurements, labels, latencyMean);
                labels = new LinkedHashMap<>();
                labels.put("job", job);
                labels.put("direction", m.group(1));
                labels.putAll(optionsByJob.getOrDefault(job, Map.of()));
                labels.put("numjobs", jobs);
                measurements.add(new Measurement("iops", Double.parseDouble(m.group(2)) * scale(m.group(3)), "IOPS", labels));
                measurements.add(new Measurement("bandwidth", Double.parseDouble(m.group(4)) * bytes(m.group(5)), "B/s",
                        labels));
                latencyMean = Double.NaN;
                latencyKind = "";
                percentileUnit = null;
                anyDirection = true;
            } else if (labels != null && (m = LATENCY.matcher(line)).find()) {
                // Total latency when fio prints it, else completion latency, as the JSON reader chooses.
                if (m.group(1).equals("lat") || !latencyKind.equals("lat")) {
                    latencyMean = Double.parseDouble(m.group(3)) * micros(m.group(2));
                    latencyKind = m.group(1);
                }
            } else if (labels != null && (m = PERCENTILES.matcher(line)).find()) {
                percentileUnit = m.group(1);
            } else if (labels != null && percentileUnit != null && (m = P99.matcher(line)).find()) {
                measurements.add(new Measurement("lat_p99", Double.parseDouble(m.group(1)) * micros(percentileUnit), "us",
                        labels));
                percentileUnit = null;
            } else if (line.startsWith("Disk stats")) {
                disks = true;
            } else if (disks && (m = DISK.matcher(line)).find()) {
                measurements.add(new Measurement("disk_util", Double.parseDouble(m.group(2)), "%", Map.of("disk", m.group(1))));
            }
        }
        flush(measurements, labels, latencyMean);
        if (!anyDirection) {
            problems.add(new Problem(0, "", "no \"read: IOPS=…, BW=…\" lines: the run stopped before its results"));
        }
        return new ToolOutput(file, FioJsonParser.TOOL, null, measurements, warnings, problems);
    }

    private static void flush(List<Measurement> measurements, Map<String, Object> labels, double latencyMean) {
        if (labels != null && !Double.isNaN(latencyMean)) {
            measurements.add(new Measurement("lat_mean", latencyMean, "us", labels));
        }
    }

    private static double scale(String suffix) {
        return switch (suffix) {
            case "k" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            default -> 1;
        };
    }

    /** fio prints binary units (KiB, MiB) and, in some versions, decimal ones (kB, MB). */
    private static double bytes(String unit) {
        return switch (unit) {
            case "KiB" -> 1024;
            case "MiB" -> 1024.0 * 1024;
            case "GiB" -> 1024.0 * 1024 * 1024;
            case "TiB" -> 1024.0 * 1024 * 1024 * 1024;
            case "KB", "kB" -> 1e3;
            case "MB" -> 1e6;
            case "GB" -> 1e9;
            case "TB" -> 1e12;
            default -> 1;
        };
    }

    private static double micros(String unit) {
        return switch (unit) {
            case "nsec" -> 1e-3;
            case "msec" -> 1e3;
            default -> 1;
        };
    }
}
