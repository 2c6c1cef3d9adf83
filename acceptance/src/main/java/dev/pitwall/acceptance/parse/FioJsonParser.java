package dev.pitwall.acceptance.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads fio's JSON output ({@code --output-format=json}), fio 3.x: per job and direction
 * (read, write, trim) that moved data, {@code iops}, {@code bandwidth} (bytes/s),
 * {@code lat_mean} and {@code lat_p99} (µs, completion latency where total latency is not
 * sampled); per disk, {@code disk_util} (%). Lines fio prints before its JSON (warnings) are
 * skipped; a job's non-zero error is reported as a warning.
 */
public final class FioJsonParser implements ToolParser {

    public static final String TOOL = "fio";
    private static final String[] DIRECTIONS = {"read", "write", "trim"};

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return head.contains("\"fio version\"");
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Measurement> measurements = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        int start = 0;
        while (start < lines.size() && !lines.get(start).stripLeading().startsWith("{")) {
            start++;
        }
        var tree = StructuredOutput.read(Json.mapper(), String.join("\n", lines.subList(start, lines.size())), start + 1,
                "fio's JSON", problems);
        if (tree.isEmpty()) {
            return new ToolOutput(file, TOOL, null, measurements, warnings, problems);
        }
        JsonNode root = tree.get();
        JsonNode global = root.path("global options");
        for (JsonNode job : root.path("jobs")) {
            String name = job.path("jobname").asText("job");
            JsonNode options = job.path("job options");
            if (job.path("error").asInt(0) != 0) {
                warnings.add(new Problem(0, name, "fio reported error " + job.path("error").asInt() + " for job " + name));
            }
            for (String direction : DIRECTIONS) {
                JsonNode io = job.path(direction);
                if (io.path("io_bytes").asLong(0) == 0 && io.path("iops").asDouble(0) == 0) {
                    continue;
                }
                Map<String, Object> labels = new LinkedHashMap<>();
                labels.put("job", name);
                labels.put("direction", direction);
                for (String option : new String[] {"rw", "bs", "iodepth", "numjobs", "filename", "ioengine"}) {
                    String value = options.path(option).asText(global.path(option).asText(""));
                    if (!value.isEmpty()) {
                        labels.put(option, value);
                    }
                }
                measurements.add(new Measurement("iops", io.path("iops").asDouble(), "IOPS", labels));
                double bytesPerSecond = io.has("bw_bytes") ? io.path("bw_bytes").asDouble() : io.path("bw").asDouble() * 1024;
                measurements.add(new Measurement("bandwidth", bytesPerSecond, "B/s", labels));
                JsonNode latency = io.path("lat_ns").path("mean").asDouble(0) > 0 ? io.path("lat_ns") : io.path("clat_ns");
                if (latency.path("mean").asDouble(0) > 0) {
                    measurements.add(new Measurement("lat_mean", latency.path("mean").asDouble() / 1000, "us", labels));
                }
                JsonNode p99 = percentile99(io);
                if (p99 != null) {
                    measurements.add(new Measurement("lat_p99", p99.asDouble() / 1000, "us", labels));
                }
            }
        }
        for (JsonNode disk : root.path("disk_util")) {
            measurements.add(new Measurement("disk_util", disk.path("util").asDouble(), "%",
                    Map.of("disk", disk.path("name").asText("?"))));
        }
        if (!root.has("jobs")) {
            problems.add(new Problem(Math.min(start + 1, lines.size()), "", "fio's JSON has no jobs"));
        }
        return new ToolOutput(file, TOOL, null, measurements, warnings, problems);
    }

    /** The 99th percentile of total latency when fio sampled it, else of completion latency. */
    private static JsonNode percentile99(JsonNode io) {
        for (String kind : new String[] {"lat_ns", "clat_ns"}) {
            JsonNode value = io.path(kind).path("percentile").path("99.000000");
            if (value.isNumber() && value.asDouble() > 0) {
                return value;
            }
        }
        return null;
    }
}
