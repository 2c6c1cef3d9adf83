package dev.pitwall.acceptance.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads nccl-tests output (all_reduce_perf, all_gather_perf, reduce_scatter_perf, alltoall_perf,
 * broadcast_perf, reduce_perf, sendrecv_perf): several tests in one file, the current column
 * layout (with {@code root} and {@code #wrong}) and the older one (no {@code root},
 * {@code error}), MPI launchers' {@code [1,0]<stdout>:} tags anywhere in a line, and NCCL INFO
 * lines between rows. Each result row gives two measurements named {@code busbw} (out-of-place
 * and in-place); each test its {@code avg_busbw}, {@code out_of_bounds} and {@code ranks}.
 * The failure lines of one test (every rank prints its own, two lines each) are one warning
 * that counts them.
 */
public final class NcclTestsParser implements ToolParser {

    public static final String TOOL = "nccl-tests";

    private static final Pattern LAUNCHER_TAG = Pattern.compile("\\[\\d+,\\d+]<std(?:out|err)>:");
    private static final Pattern STARTING = Pattern.compile("^# Collective test starting: (\\w+)");
    private static final Pattern CONCLUDED = Pattern.compile("^# Collective test concluded: (\\w+)");
    private static final Pattern THREADS = Pattern.compile("^# nThread \\d+");
    private static final Pattern RANK = Pattern.compile(
            "^#\\s+Rank\\s+(\\d+)\\s+(?:Group\\s+\\d+\\s+)?Pid\\s+\\d+\\s+on\\s+(\\S+)\\s+device\\s+(\\d+)\\s+\\[([^]]*)]\\s+(.+)$");
    private static final Pattern AVERAGE = Pattern.compile("^# Avg bus bandwidth\\s*:\\s*(\\S+)");
    private static final Pattern OUT_OF_BOUNDS = Pattern.compile("^# Out of bounds values\\s*:\\s*(\\d+)\\s*(\\w*)");
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+\\s+\\d+\\s+[a-z]\\w*\\s");
    private static final Pattern WARNING = Pattern.compile("NCCL WARN|Test NCCL failure|Test failure|NCCL error|Test CUDA failure");
    /** A test's name in a file name: all_reduce, allreduce, all-reduce … */
    private static final Pattern NAME_IN_FILE = Pattern.compile(
            "(all[_-]?reduce|all[_-]?gather|reduce[_-]?scatter|all[_-]?to[_-]?all|broadcast|send[_-]?recv|reduce)",
            Pattern.CASE_INSENSITIVE);
    private static final int TEXT_LIMIT = 160;

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        String clean = LAUNCHER_TAG.matcher(head).replaceAll("");
        return clean.contains("# Collective test starting:") || clean.contains("# nThread ")
                || (clean.contains("out-of-place") && clean.contains("busbw"));
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        Reading reading = new Reading(file);
        for (int i = 0; i < lines.size(); i++) {
            reading.line(i + 1, LAUNCHER_TAG.matcher(lines.get(i)).replaceAll(""));
        }
        reading.endTest();
        return new ToolOutput(file, TOOL, reading.hosts.size() == 1 ? reading.hosts.iterator().next() : null,
                reading.measurements, reading.warnings, reading.problems);
    }

    /** The state of reading one file: the test in progress and what was found so far. */
    private static final class Reading {
        final String file;
        final List<Measurement> measurements = new ArrayList<>();
        final List<Problem> warnings = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();
        final Set<String> hosts = new LinkedHashSet<>();
        String test;
        int testLine;
        int rows;
        boolean averaged;
        final Set<String> testHosts = new LinkedHashSet<>();
        final Set<String> testGpus = new LinkedHashSet<>();
        final Set<Integer> testRanks = new LinkedHashSet<>();
        int failureLines;
        int failureLine;
        int lastFailureLine;
        String failureText;

        Reading(String file) {
            this.file = file;
        }

        void line(int number, String line) {
            Matcher m;
            if ((m = STARTING.matcher(line)).find()) {
                endTest();
                beginTest(m.group(1), number);
            } else if (THREADS.matcher(line).find()) {
                // A run without a "starting" line (older nccl-tests, one test per run).
                if (test == null || rows > 0 || averaged) {
                    endTest();
                    beginTest(null, number);
                }
            } else if ((m = RANK.matcher(line)).find()) {
                testRanks.add(Integer.parseInt(m.group(1)));
                testHosts.add(m.group(2));
                hosts.add(m.group(2));
                testGpus.add(m.group(5).strip());
            } else if ((m = AVERAGE.matcher(line)).find()) {
                number(m.group(1), number, line).ifPresent(v -> measurements.add(
                        new Measurement("avg_busbw", v, "GB/s", Map.of("test", testName()))));
                averaged = true;
            } else if ((m = OUT_OF_BOUNDS.matcher(line)).find()) {
                measurements.add(new Measurement("out_of_bounds", Double.parseDouble(m.group(1)), "values",
                        Map.of("test", testName(), "ok", m.group(2).equalsIgnoreCase("OK"))));
            } else if (CONCLUDED.matcher(line).find()) {
                endTest();
            } else if (WARNING.matcher(line).find()) {
                if (failureLines++ == 0) {
                    failureLine = number;
                    failureText = shorten(line);
                }
                lastFailureLine = number;
            } else if (!line.startsWith("#") && ROW.matcher(line).find()) {
                row(number, line);
            }
        }

        void beginTest(String name, int number) {
            test = name == null ? nameFromFile() : name;
            testLine = number;
            rows = 0;
            averaged = false;
            testHosts.clear();
            testGpus.clear();
            testRanks.clear();
        }

        void endTest() {
            if (failureLines > 0) {
                warnings.add(new Problem(failureLine, failureText, failureLines == 1 ? "nccl-tests reported a failure"
                        : "nccl-tests reported a failure on " + failureLines + " lines (through line " + lastFailureLine + ")"));
                failureLines = 0;
            }
            if (test == null) {
                return;
            }
            if (!testRanks.isEmpty()) {
                Map<String, Object> labels = new LinkedHashMap<>();
                labels.put("test", test);
                labels.put("hosts", List.copyOf(testHosts));
                labels.put("gpus", List.copyOf(testGpus));
                measurements.add(new Measurement("ranks", testRanks.size(), "ranks", labels));
            }
            if (rows == 0) {
                problems.add(new Problem(testLine, "", test + ": no results after the header; the run stopped, "
                        + "hung or failed before its first message size"));
            } else if (!averaged) {
                problems.add(new Problem(testLine, "", test + ": " + rows + " result rows but no 'Avg bus bandwidth' "
                        + "line; the output is cut short"));
            }
            test = null;
        }

        void row(int number, String line) {
            if (test == null) {
                beginTest(null, number);
            }
            String[] f = line.strip().split("\\s+");
            boolean withRoot;
            if (f.length == 13) {
                withRoot = true;
            } else if (f.length == 12) {
                withRoot = false;
            } else {
                problems.add(new Problem(number, shorten(line), "a result row with " + f.length
                        + " columns; nccl-tests rows have 13 (or 12 in older versions)"));
                return;
            }
            int at = withRoot ? 5 : 4;
            try {
                long size = Long.parseLong(f[0]);
                long count = Long.parseLong(f[1]);
                for (int placement = 0; placement < 2; placement++) {
                    int base = at + placement * 4;
                    double time = Double.parseDouble(f[base]);
                    double algbw = Double.parseDouble(f[base + 1]);
                    double busbw = Double.parseDouble(f[base + 2]);
                    Map<String, Object> labels = new LinkedHashMap<>();
                    labels.put("test", test);
                    labels.put("size_bytes", size);
                    labels.put("count", count);
                    labels.put("type", f[2]);
                    labels.put("redop", f[3]);
                    if (withRoot) {
                        labels.put("root", Integer.parseInt(f[4]));
                    }
                    labels.put("time_us", time);
                    labels.put("algbw_gbps", algbw);
                    labels.put("busbw_gbps", busbw);
                    labels.put("in_place", placement == 1);
                    Long wrong = wrong(f[base + 3]);
                    labels.put("wrong", wrong);
                    measurements.add(new Measurement("busbw", busbw, "GB/s", labels));
                    if (wrong != null && wrong > 0) {
                        // The collective's result did not check out: corrupted data, however fast it came.
                        warnings.add(new Problem(number, shorten(line), test + ": " + wrong + " wrong value(s) at "
                                + size + " bytes " + (placement == 1 ? "in place" : "out of place")
                                + "; the collective returned corrupted data"));
                    }
                }
                rows++;
            } catch (NumberFormatException e) {
                problems.add(new Problem(number, shorten(line), "a result row with a value that is not a number"));
            }
        }

        /** {@code #wrong} is a count, or N/A where the test does not check (validation off, alltoall in place). */
        private static Long wrong(String value) {
            return value.equals("N/A") ? null : Long.parseLong(value);
        }

        java.util.Optional<Double> number(String text, int line, String raw) {
            try {
                return java.util.Optional.of(Double.parseDouble(text));
            } catch (NumberFormatException e) {
                problems.add(new Problem(line, shorten(raw), "'" + text + "' is not a number"));
                return java.util.Optional.empty();
            }
        }

        String testName() {
            return test == null ? nameFromFile() : test;
        }

        /** The test named in the file's name, when its output does not say. */
        String nameFromFile() {
            String base = file.replaceAll(".*/", "");
            Matcher m = NAME_IN_FILE.matcher(base);
            if (!m.find()) {
                return "unknown";
            }
            String words = m.group(1).toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
            return switch (words) {
                case "allreduce" -> "all_reduce_perf";
                case "allgather" -> "all_gather_perf";
                case "reducescatter" -> "reduce_scatter_perf";
                case "alltoall" -> "alltoall_perf";
                case "sendrecv" -> "sendrecv_perf";
                default -> words + "_perf";
            };
        }

        private static String shorten(String line) {
            String trimmed = line.strip();
            return trimmed.length() > TEXT_LIMIT ? trimmed.substring(0, TEXT_LIMIT) + "…" : trimmed;
        }
    }
}
