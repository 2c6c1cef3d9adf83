package dev.pitwall.acceptance.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code dcgmi diag -r N -j}: one {@code dcgm_diag} measurement per test and GPU (value 1
 * for Pass, 0 otherwise, the status as a label), plus the figures the tests print: PCIe
 * bandwidth (GB/s) and latency (µs), GFLOPS and average power. A test that failed is reported
 * as a warning with the diagnostic's own words.
 */
public final class DcgmDiagJsonParser implements ToolParser {

    public static final String TOOL = "dcgmi-diag";

    /** "GPU 0 GPU 0 GPU to Host bandwidth:\t\t13.15 GB/s" and the like. */
    private static final Pattern FIGURE = Pattern.compile(
            "GPU (\\d+)(?: GPU \\d+)? ([A-Za-z ]*?(?:bandwidth|latency|power average|stress level)):?\\s+([\\d.]+)\\s*(GB/s|us|W)?");
    private static final Pattern GFLOPS = Pattern.compile("GPU (\\d+)(?: GPU \\d+)? calculated at approximately ([\\d.]+) gigaflops");

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return head.contains("\"DCGM GPU Diagnostic\"");
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Measurement> measurements = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        var tree = StructuredOutput.read(Json.mapper(), String.join("\n", lines), 1, "dcgmi's JSON", problems);
        if (tree.isEmpty()) {
            return new ToolOutput(file, TOOL, null, measurements, warnings, problems);
        }
        JsonNode root = tree.get();
        JsonNode categories = root.path("DCGM GPU Diagnostic").path("test_categories");
        if (!categories.isArray()) {
            problems.add(new Problem(0, "", "no 'test_categories' under 'DCGM GPU Diagnostic': a dcgmi JSON layout "
                    + "this reader does not know"));
        }
        for (JsonNode category : categories) {
            for (JsonNode test : category.path("tests")) {
                for (JsonNode result : test.path("results")) {
                    String status = result.path("status").asText("");
                    String info = result.path("info").asText("");
                    Map<String, Object> labels = new LinkedHashMap<>();
                    labels.put("category", category.path("category").asText());
                    labels.put("test", test.path("name").asText());
                    labels.put("status", status);
                    if (result.has("gpu_ids")) {
                        labels.put("gpu", result.path("gpu_ids").asText());
                    }
                    if (!info.isEmpty()) {
                        labels.put("info", info);
                    }
                    measurements.add(new Measurement("dcgm_diag", status.equalsIgnoreCase("Pass") ? 1 : 0, "pass", labels));
                    if (status.equalsIgnoreCase("Fail")) {
                        warnings.add(new Problem(0, info, "dcgmi diag: " + test.path("name").asText() + " failed"
                                + (result.has("gpu_ids") ? " on GPU " + result.path("gpu_ids").asText() : "")));
                    }
                    figures(test.path("name").asText(), info, measurements);
                }
            }
        }
        return new ToolOutput(file, TOOL, null, measurements, warnings, problems);
    }

    private static void figures(String test, String info, List<Measurement> out) {
        Matcher m = FIGURE.matcher(info);
        while (m.find()) {
            String what = m.group(2).strip().toLowerCase(Locale.ROOT).replace(' ', '_');
            String unit = m.group(4) == null ? "" : m.group(4);
            out.add(new Measurement(what, Double.parseDouble(m.group(3)), unit,
                    Map.of("test", test, "gpu", m.group(1))));
        }
        Matcher g = GFLOPS.matcher(info);
        while (g.find()) {
            out.add(new Measurement("gflops", Double.parseDouble(g.group(2)), "GFLOP/s",
                    Map.of("test", test, "gpu", g.group(1))));
        }
    }
}
