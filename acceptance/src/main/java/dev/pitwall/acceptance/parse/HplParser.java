package dev.pitwall.acceptance.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads HPL (High-Performance Linpack) output, the netlib reference and NVIDIA's build alike: per
 * result row {@code hpl_gflops} with the problem size N, block size NB, process grid P x Q and
 * time; the residual check's PASSED/FAILED as {@code hpl_residual_ok}. A failed residual means
 * wrong answers: a warning, whatever the speed.
 */
public final class HplParser implements ToolParser {

    public static final String TOOL = "hpl";

    /** A decimal number as C's printf writes it: "123.45", "3.937e+03", "5.599413E-04". */
    static final String NUMBER = "([+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)";
    /** "WR11C2R4       90000   256     2     4             123.45             3.937e+03" */
    private static final Pattern RESULT = Pattern.compile(
            "^(W[RC]\\w+)\\s+(\\d{1,12})\\s+(\\d{1,9})\\s+(\\d{1,9})\\s+(\\d{1,9})\\s+" + NUMBER + "\\s+" + NUMBER);
    /** The scaled residual line, HPL's and HPL-MxP's spellings alike. */
    private static final Pattern RESIDUAL = Pattern.compile("^\\|\\|Ax-b\\|\\|.*=\\s*" + NUMBER + "\\s*\\.+\\s*(PASSED|FAILED)");

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return head.contains("HPLinpack") || head.contains("T/V                N    NB     P     Q");
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Measurement> measurements = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        readResultTable(lines, "hpl", measurements, warnings);
        List<Problem> problems = new ArrayList<>();
        if (measurements.stream().noneMatch(x -> x.name().equals("hpl_gflops"))) {
            problems.add(new Problem(0, "", "no HPL result row (T/V N NB P Q Time Gflops): the run did not finish"));
        }
        return new ToolOutput(file, TOOL, null, measurements, warnings, problems);
    }

    /**
     * The result table HPL and the builds derived from it print: {@code <prefix>_gflops} per
     * row, {@code <prefix>_residual_ok} per residual check (labelled with the row before it), a
     * warning per failed check.
     */
    static void readResultTable(List<String> lines, String prefix, List<Measurement> measurements, List<Problem> warnings) {
        Map<String, Object> last = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            Matcher m = RESULT.matcher(line);
            if (m.find()) {
                Map<String, Object> labels = new LinkedHashMap<>();
                labels.put("variant", m.group(1));
                labels.put("n", Long.parseLong(m.group(2)));
                labels.put("nb", Integer.parseInt(m.group(3)));
                labels.put("p", Integer.parseInt(m.group(4)));
                labels.put("q", Integer.parseInt(m.group(5)));
                labels.put("time_s", Double.parseDouble(m.group(6)));
                measurements.add(new Measurement(prefix + "_gflops", Double.parseDouble(m.group(7)), "GFLOP/s", labels));
                last = labels;
                continue;
            }
            residual(i, line, last, prefix, measurements, warnings);
        }
    }

    /** Reads line {@code index} as a residual check, if it is one. */
    private static void residual(int index, String line, Map<String, Object> run, String prefix, List<Measurement> measurements,
            List<Problem> warnings) {
        Matcher r = RESIDUAL.matcher(line);
        if (!r.find()) {
            return;
        }
        boolean ok = r.group(2).equals("PASSED");
        Map<String, Object> labels = run == null ? new LinkedHashMap<>() : new LinkedHashMap<>(run);
        labels.put("residual", Double.parseDouble(r.group(1)));
        measurements.add(new Measurement(prefix + "_residual_ok", ok ? 1 : 0, "", labels));
        if (!ok) {
            warnings.add(new Problem(index + 1, line, "the residual check failed: the GPUs computed wrong answers"));
        }
    }
}
