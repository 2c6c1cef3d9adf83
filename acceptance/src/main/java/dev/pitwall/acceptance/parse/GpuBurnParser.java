package dev.pitwall.acceptance.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads gpu-burn output: per GPU, {@code gflops} and {@code errors} from the last progress
 * snapshot, {@code temp_max} over all snapshots, and the final verdict as {@code gpu_burn_ok}
 * (1 for OK, 0 for FAULTY; a faulty GPU is also a warning). Snapshots may be joined on very long
 * lines; each is found wherever it stands.
 */
public final class GpuBurnParser implements ToolParser {

    public static final String TOOL = "gpu-burn";

    private static final Pattern SNAPSHOT = Pattern.compile(
            "(\\d+(?:\\.\\d+)?)%\\s+proc'd:\\s+(.+?)\\s+errors:\\s+(.+?)\\s+temps:\\s+((?:\\d+ C(?: - )?)+)");
    private static final Pattern GFLOPS = Pattern.compile("\\((\\d+(?:\\.\\d+)?) Gflop/s\\)");
    private static final Pattern VERDICT = Pattern.compile("^\\s*GPU (\\d+): (OK|FAULTY)");
    private static final Pattern MODEL = Pattern.compile("^GPU (\\d+): (.+?) \\(UUID: ([^)]+)\\)");

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return head.contains("proc'd:") || head.contains("Gflop/s") && head.contains("Initialized device");
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Measurement> measurements = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<Integer, String> models = new LinkedHashMap<>();
        Map<Integer, Double> maxTemps = new LinkedHashMap<>();
        String lastGflops = null;
        String lastErrors = null;
        int verdicts = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m = MODEL.matcher(line);
            if (m.find()) {
                models.put(Integer.parseInt(m.group(1)), m.group(2));
            }
            Matcher s = SNAPSHOT.matcher(line);
            while (s.find()) {
                lastGflops = s.group(2);
                lastErrors = s.group(3);
                String[] temps = s.group(4).split(" - ");
                for (int gpu = 0; gpu < temps.length; gpu++) {
                    double t = Double.parseDouble(temps[gpu].replace("C", "").strip());
                    maxTemps.merge(gpu, t, Math::max);
                }
            }
            Matcher v = VERDICT.matcher(line);
            if (v.find()) {
                int gpu = Integer.parseInt(v.group(1));
                boolean ok = v.group(2).equals("OK");
                measurements.add(new Measurement("gpu_burn_ok", ok ? 1 : 0, "ok", labels(gpu, models)));
                if (!ok) {
                    warnings.add(new Problem(i + 1, line.strip(), "gpu-burn found GPU " + gpu + " faulty"));
                }
                verdicts++;
            }
        }
        if (lastGflops != null) {
            Matcher g = GFLOPS.matcher(lastGflops);
            for (int gpu = 0; g.find(); gpu++) {
                measurements.add(new Measurement("gflops", Double.parseDouble(g.group(1)), "GFLOP/s", labels(gpu, models)));
            }
            String[] errors = lastErrors.split(" - ");
            for (int gpu = 0; gpu < errors.length; gpu++) {
                try {
                    measurements.add(new Measurement("errors", Double.parseDouble(errors[gpu].strip()), "errors",
                            labels(gpu, models)));
                } catch (NumberFormatException e) {
                    problems.add(new Problem(0, lastErrors, "GPU " + gpu + "'s error count is not a number"));
                }
            }
            maxTemps.forEach((gpu, t) -> measurements.add(new Measurement("temp_max", t, "C", labels(gpu, models))));
        } else {
            problems.add(new Problem(0, "", "no progress snapshot ('proc'd: … errors: … temps: …'); the run did not start"));
        }
        if (verdicts == 0) {
            problems.add(new Problem(0, "", "no final 'Tested N GPUs' verdict; the run was cut short"));
        }
        return new ToolOutput(file, TOOL, null, measurements, warnings, problems);
    }

    private static Map<String, Object> labels(int gpu, Map<Integer, String> models) {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("gpu", gpu);
        if (models.containsKey(gpu)) {
            labels.put("model", models.get(gpu));
        }
        return labels;
    }
}
