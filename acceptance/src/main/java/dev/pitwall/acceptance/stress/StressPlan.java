package dev.pitwall.acceptance.stress;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.config.ConfigLoader;
import dev.pitwall.core.config.ConfigProblem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A training stress test: one reference training job run at several scales (32, 64, 128 nodes …),
 * each run judged on its throughput (against the plan's expectation and, as scaling efficiency,
 * against the smallest scale's per-GPU throughput), whether it wrote a checkpoint that reads back,
 * and whether its log kept arriving.
 *
 * @param scales      node counts, each run once, smallest first
 * @param gpusPerNode GPUs a node gives the job
 * @param efficiency  per-GPU throughput as a share of the smallest scale's under which a scale warns or fails
 */
public record StressPlan(String name, String description, Job job, List<Integer> scales, int gpusPerNode,
                         Efficiency efficiency) {

    /** Plans shipped with Pitwall. */
    public static final List<String> BUILT_IN = List.of("stress");

    /**
     * The reference job. Its {@code command} runs once per scale (through {@code sh -c} on the host
     * Pitwall runs on, as a Slurm {@code srun} or {@code kubectl apply} would be), with {@code {nodes}}
     * (the count), {@code {hosts}} (the nodes, comma-separated), {@code {gpus}} and {@code {output}} (the
     * scale's folder) filled in; it writes its log to {@code {output}/<log>}.
     *
     * @param throughput    a regular expression whose first group is one step's throughput per GPU
     *                      (Megatron-LM's "throughput per GPU (TFLOP/s/GPU)" or its older "TFLOPs")
     * @param unit          the throughput's unit, for the report
     * @param expected      the throughput per GPU the hardware should reach; null to judge scaling only
     * @param tolerance     how far below {@code expected} still passes (0.1 is 10 %)
     * @param warmupSteps   the first steps' throughput left out (compilation, data loader start)
     * @param minSteps      fewest logged steps after warm-up for the log to count as arriving
     * @param checkpoint    where the job writes its checkpoint ({@code {output}} filled in); null when not checked
     */
    public record Job(String command, String log, String throughput, String unit, Double expected, double tolerance,
                      int warmupSteps, int minSteps, String checkpoint, Duration timeout) {

        public Job {
            if (command == null || command.isBlank()) {
                throw new ConfigProblem("command", "nothing", "the command that runs the reference job at a scale");
            }
            log = log == null || log.isBlank() ? "train.log" : log;
            throughput = throughput == null || throughput.isBlank()
                    ? "(?:throughput per GPU \\(TFLOP/s/GPU\\)|TFLOPs):\\s*([0-9.]+)" : throughput;
            try {
                if (Pattern.compile(throughput).matcher("").groupCount() < 1) {
                    throw new ConfigProblem("throughput", throughput, "a regular expression with a group for the value");
                }
            } catch (PatternSyntaxException e) {
                throw new ConfigProblem("throughput", throughput, "a regular expression (" + e.getDescription() + ")");
            }
            unit = unit == null || unit.isBlank() ? "TFLOPS/GPU" : unit;
            if (expected != null && !(expected > 0)) {
                throw new ConfigProblem("expected", expected, "a throughput above 0, or nothing");
            }
            if (!(tolerance >= 0 && tolerance < 1)) {
                throw new ConfigProblem("tolerance", tolerance, "a share between 0 and 1 (0.1 is 10%)");
            }
            ConfigProblem.atLeast("warmup-steps", warmupSteps, 0, "a count");
            ConfigProblem.atLeast("min-steps", minSteps, 1, "a count");
            timeout = timeout == null ? Duration.ofHours(1) : ConfigProblem.positive("timeout", timeout);
        }

        public Pattern throughputPattern() {
            return Pattern.compile(throughput);
        }
    }

    public record Efficiency(double warnBelow, double failBelow) {

        public static final Efficiency DEFAULTS = new Efficiency(0.9, 0.8);

        public Efficiency {
            if (!(failBelow > 0 && failBelow <= warnBelow && warnBelow <= 1)) {
                throw new ConfigProblem("efficiency", warnBelow + " / " + failBelow,
                        "0 < fail-below ≤ warn-below ≤ 1 (0.8 and 0.9)");
            }
        }
    }

    public StressPlan {
        name = name == null ? "" : name;
        description = description == null ? "" : description;
        if (job == null) {
            throw new ConfigProblem("job", "nothing", "the reference job: its command, log and throughput");
        }
        scales = scales == null ? List.of() : scales.stream().sorted().distinct().toList();
        if (scales.isEmpty() || scales.getFirst() < 1) {
            throw new ConfigProblem("scales", scales, "node counts of 1 or more (32, 64, 128)");
        }
        gpusPerNode = gpusPerNode == 0 ? 8 : gpusPerNode;
        ConfigProblem.atLeast("gpus-per-node", gpusPerNode, 1, "a count");
        efficiency = efficiency == null ? Efficiency.DEFAULTS : efficiency;
    }

    private static StressPlan empty() {
        return new StressPlan("", "", new Job("true", null, null, null, null, 0.1, 10, 20, null, null), List.of(1), 8,
                null);
    }

    /**
     * A template of the job's ({@code command}, {@code checkpoint}) for a run on {@code hosts} writing to
     * {@code output}: {@code {nodes}}, {@code {hosts}}, {@code {gpus}} and {@code {output}} filled in.
     */
    public String fill(String template, List<String> hosts, Path output) {
        return template.replace("{nodes}", String.valueOf(hosts.size())).replace("{hosts}", String.join(",", hosts))
                .replace("{gpus}", String.valueOf(hosts.size() * gpusPerNode))
                .replace("{output}", output.toAbsolutePath().toString());
    }

    /** The same plan at other scales (the command line's {@code --scales}). */
    public StressPlan withScales(List<Integer> other) {
        return new StressPlan(name, description, job, other, gpusPerNode, efficiency);
    }

    /** A shipped plan by name, or a YAML file by path; errors name the file, line and key. */
    public static StressPlan load(String nameOrFile) {
        ConfigLoader<StressPlan> loader = new ConfigLoader<>(StressPlan.class, empty());
        if (BUILT_IN.contains(nameOrFile)) {
            String resource = "/acceptance/stress/" + nameOrFile + ".yaml";
            try (InputStream in = StressPlan.class.getResourceAsStream(resource)) {
                return loader.load(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
            } catch (IOException e) {
                throw new IllegalStateException(resource + " cannot be read", e);
            }
        }
        Path file = Path.of(nameOrFile);
        if (!Files.exists(file)) {
            throw new ConfigException(nameOrFile + ": no such stress plan; use one of " + String.join(", ", BUILT_IN)
                    + " or the path of a YAML stress plan");
        }
        return loader.load(Optional.of(file), Map.of());
    }
}
