package dev.pitwall.acceptance.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads HPL-MxP (mixed precision, formerly HPL-AI) output in the two layouts vendors' builds
 * print: NVIDIA's result block ({@code ****** HPL MxP Result ******} with {@code N = .., NB = ..,
 * NPROW = .., NPCOL = .., SLOPPY-TYPE = ..} and {@code GFLOPS = .., per GPU = ..}) and the
 * HPL-style result table rocHPL-MxP writes. Per run {@code hpl_mxp_gflops} (the figure the
 * benchmark reports: FP64-equivalent operations over the whole solve) labelled with the grid and,
 * where printed, {@code precision} of the factorization and {@code per_gpu_gflops};
 * {@code hpl_mxp_lu_gflops} for the factorization alone; {@code hpl_mxp_residual_ok} per residual
 * check, a failed one being a warning (NVIDIA prints the check above the run's parameters, so
 * there it carries none).
 */
public final class HplMxpParser implements ToolParser {

    public static final String TOOL = "hpl-mxp";

    private static final Pattern MENTION = Pattern.compile("(?i)hpl[-_ ]?(mxp|ai)\\b");
    private static final Pattern RESULT_BLOCK = Pattern.compile("\\*+\\s*HPL[- ]MxP Result\\s*\\*+", Pattern.CASE_INSENSITIVE);
    /** "N = 258048, NB = 1024, NPROW = 4, NPCOL = 2, SLOPPY-TYPE = 2" */
    private static final Pattern PARAMETERS = Pattern.compile(
            "^N\\s*=\\s*(\\d{1,12}),\\s*NB\\s*=\\s*(\\d{1,9}),\\s*NPROW\\s*=\\s*(\\d{1,9}),\\s*NPCOL\\s*=\\s*(\\d{1,9})"
                    + "(?:,\\s*SLOPPY-TYPE\\s*=\\s*(\\w+))?");
    /** "GFLOPS = 4.3468e+05, per GPU =   54335.58 ------ ..." and the same starting "LU GFLOPS". */
    private static final Pattern GFLOPS = Pattern.compile(
            "^(LU\\s+)?GFLOPS\\s*=\\s*" + HplParser.NUMBER + ",\\s*per GPU\\s*=\\s*" + HplParser.NUMBER);

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return MENTION.matcher(head).find() || head.contains("HPLMXP_");
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Measurement> measurements = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        HplParser.readResultTable(lines, "hpl_mxp", measurements, warnings);
        Map<String, Object> run = null;
        // NVIDIA prints its banner above and below a run's figures: a banner opens a block
        // unless it closes one whose GFLOPS line has been read.
        int openBanner = -1;
        boolean answered = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (RESULT_BLOCK.matcher(line).find()) {
                if (answered) {
                    answered = false;
                    continue;
                }
                if (openBanner >= 0) {
                    problems.add(cutOff(lines, openBanner));
                }
                openBanner = i;
                run = null;
                continue;
            }
            Matcher p = PARAMETERS.matcher(line);
            if (p.find()) {
                run = new LinkedHashMap<>();
                run.put("n", Long.parseLong(p.group(1)));
                run.put("nb", Integer.parseInt(p.group(2)));
                run.put("p", Integer.parseInt(p.group(3)));
                run.put("q", Integer.parseInt(p.group(4)));
                if (p.group(5) != null) {
                    run.put("precision", precision(p.group(5)));
                }
                continue;
            }
            Matcher g = GFLOPS.matcher(line);
            if (g.find()) {
                if (run == null) {
                    problems.add(new Problem(i + 1, line, "GFLOPS without the N, NB, NPROW, NPCOL line before it"));
                    continue;
                }
                Map<String, Object> labels = new LinkedHashMap<>(run);
                labels.put("per_gpu_gflops", Double.parseDouble(g.group(3)));
                boolean reported = g.group(1) == null;
                measurements.add(new Measurement(reported ? "hpl_mxp_gflops" : "hpl_mxp_lu_gflops",
                        Double.parseDouble(g.group(2)), "GFLOP/s", labels));
                if (reported && openBanner >= 0) {
                    openBanner = -1;
                    answered = true;
                }
            }
        }
        if (openBanner >= 0) {
            problems.add(cutOff(lines, openBanner));
        }
        if (measurements.stream().noneMatch(m -> m.name().equals("hpl_mxp_gflops"))) {
            problems.add(new Problem(0, "", "no HPL-MxP result (a GFLOPS line or a T/V N NB P Q Time Gflops row):"
                    + " the run did not finish"));
        }
        return new ToolOutput(file, TOOL, null, measurements, warnings, problems);
    }

    private static Problem cutOff(List<String> lines, int banner) {
        return new Problem(banner + 1, lines.get(banner).strip(),
                "an HPL-MxP result block without its GFLOPS line: the output is cut off");
    }

    /** NVIDIA's SLOPPY-TYPE: 1 is FP8 and 2 is FP16 in the builds that print a number, a name in later ones. */
    private static String precision(String sloppyType) {
        return switch (sloppyType) {
            case "1" -> "fp8";
            case "2" -> "fp16";
            default -> sloppyType.toLowerCase(Locale.ROOT);
        };
    }
}
