package dev.pitwall.acceptance.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code dcgmi diag -r N} in its default table layout, into the measurements its JSON
 * gives ({@link DcgmDiagJsonParser}): one {@code dcgm_diag} per test (and GPU when the result
 * names them: "Fail - GPU: 3"), value 1 for Pass, and a warning with the diagnostic's words
 * (its "Warning" and continuation rows) for each failure.
 */
public final class DcgmDiagTextParser implements ToolParser {

    /** "|-----  Deployment  --------+----|" and "+-----  Hardware  ---+---+": a category heading. */
    private static final Pattern CATEGORY = Pattern.compile("^[|+]-+\\s+([A-Za-z][A-Za-z ]*?)\\s+-+\\+");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*(.*?)\\s*\\|\\s*(.*?)\\s*\\|\\s*$");
    private static final Pattern RESULT = Pattern.compile("^(Pass|Fail|Warn|Skip)(?:\\s*-\\s*(?:GPUs?:\\s*([\\d, ]+)|All))?",
            Pattern.CASE_INSENSITIVE);

    @Override
    public String tool() {
        return DcgmDiagJsonParser.TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return head.contains("| Diagnostic") && head.contains("| Result");
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Measurement> measurements = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        String category = null;
        String test = null;
        List<Map<String, Object>> failed = new ArrayList<>();
        StringBuilder info = new StringBuilder();
        int failedLine = 0;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            Matcher c = CATEGORY.matcher(line);
            if (c.find()) {
                category = c.group(1);
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (!row.matches() || category == null || category.equalsIgnoreCase("Metadata")) {
                continue;
            }
            String name = row.group(1);
            String value = row.group(2);
            if (name.isEmpty() || name.equalsIgnoreCase("Warning") || name.equalsIgnoreCase("Info")) {
                // The previous test's explanation, possibly over several rows.
                if (!value.isEmpty()) {
                    info.append(info.isEmpty() ? "" : " ").append(value);
                }
                continue;
            }
            Matcher result = RESULT.matcher(value);
            if (!result.find()) {
                problems.add(new Problem(n + 1, line, "a result that is not Pass, Fail, Warn or Skip"));
                continue;
            }
            closeFailure(failed, info, warnings, test, failedLine);
            test = name;
            String status = result.group(1).substring(0, 1).toUpperCase(Locale.ROOT)
                    + result.group(1).substring(1).toLowerCase(Locale.ROOT);
            List<String> gpus = result.group(2) == null ? List.of() : List.of(result.group(2).trim().split("\\s*,\\s*"));
            for (String gpu : gpus.isEmpty() ? List.of("") : gpus) {
                Map<String, Object> labels = new LinkedHashMap<>();
                labels.put("category", category);
                labels.put("test", name);
                labels.put("status", status);
                if (!gpu.isEmpty()) {
                    labels.put("gpu", gpu);
                }
                measurements.add(new Measurement("dcgm_diag", status.equals("Pass") ? 1 : 0, "pass", labels));
                if (status.equals("Fail")) {
                    failed.add(labels);
                    failedLine = n + 1;
                }
            }
        }
        closeFailure(failed, info, warnings, test, failedLine);
        if (measurements.isEmpty()) {
            problems.add(new Problem(0, "", "no test results in the table: the diagnostic did not run, or the output is cut short"));
        }
        return new ToolOutput(file, DcgmDiagJsonParser.TOOL, null, measurements, warnings, problems);
    }

    /** Reports the failures of the test just read, with its explanation rows, and starts over. */
    private static void closeFailure(List<Map<String, Object>> failed, StringBuilder info, List<Problem> warnings, String test,
                                     int line) {
        for (Map<String, Object> labels : failed) {
            labels.put("info", info.toString());
            warnings.add(new Problem(line, info.toString(), "dcgmi diag: " + test + " failed"
                    + (labels.containsKey("gpu") ? " on GPU " + labels.get("gpu") : "")));
        }
        failed.clear();
        info.setLength(0);
    }
}
