package dev.pitwall.acceptance.stress;

import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs a stress plan: its reference job at each scale, smallest first, then judges each run from
 * what it left behind (its exit status, its log's throughput lines, its checkpoint) and the scales
 * against each other. A scale that fails does not stop the larger ones: the report should show
 * where scaling breaks, not only that it did.
 */
public final class StressRunner {

    /** Runs the job's command at one scale (of {@code nodes} nodes); answers its exit status. */
    @FunctionalInterface
    public interface Launcher {
        int run(int nodes, String command, Path output, Duration timeout) throws IOException, InterruptedException;
    }

    /** The command through {@code sh -c} on this host, its own output in {@code launcher.log} beside the job's. */
    public static final Launcher SHELL = (nodes, command, output, timeout) -> {
        Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                .redirectOutput(output.resolve("launcher.log").toFile()).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    };

    /** Bytes read from each end of each checkpoint file: enough to prove it reads back without reading terabytes. */
    static final int CHECKPOINT_PROBE = 1 << 20;

    private final StressPlan plan;
    private final Launcher launcher;
    private final Clock clock;

    public StressRunner(StressPlan plan, Launcher launcher, Clock clock) {
        this.plan = plan;
        this.launcher = launcher;
        this.clock = clock;
    }

    /**
     * Runs every scale on the first {@code scale} of {@code nodes}, each in {@code results/scale-NNN}.
     *
     * @throws IllegalArgumentException when there are fewer nodes than the largest scale
     */
    public StressResult run(List<String> nodes, Path results) throws IOException, InterruptedException {
        int largest = plan.scales().getLast();
        if (nodes.size() < largest) {
            throw new IllegalArgumentException("the largest scale of " + plan.name() + " needs " + largest + " nodes; "
                    + nodes.size() + " given (give more nodes, or fewer --scales)");
        }
        Instant started = clock.instant();
        List<StressResult.ScaleRun> runs = new ArrayList<>();
        for (int scale : plan.scales()) {
            Path output = results.resolve(String.format(Locale.ROOT, "scale-%03d", scale));
            Files.createDirectories(output);
            List<String> hosts = nodes.subList(0, scale);
            String command = plan.fill(plan.job().command(), hosts, output);
            Instant begun = clock.instant();
            int exit = launcher.run(scale, command, output, plan.job().timeout());
            runs.add(measure(scale, hosts, output, exit, Duration.between(begun, clock.instant())));
        }
        return StressResult.of(plan, results, started, judge(runs));
    }

    private StressResult.ScaleRun measure(int scale, List<String> hosts, Path output, int exit, Duration took)
            throws IOException {
        Path log = output.resolve(plan.job().log());
        List<Double> values = new ArrayList<>();
        String lastLine = "";
        if (Files.isRegularFile(log)) {
            Pattern pattern = plan.job().throughputPattern();
            try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
                for (String line : (Iterable<String>) lines::iterator) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        try {
                            values.add(Double.parseDouble(m.group(1)));
                        } catch (NumberFormatException notANumber) {
                            // The pattern caught something else on this line; the step is not counted.
                        }
                    }
                    if (!line.isBlank()) {
                        lastLine = line.strip();
                    }
                }
            }
        }
        List<Double> kept = values.subList(Math.min(values.size(), plan.job().warmupSteps()), values.size());
        Double median = kept.isEmpty() ? null : median(kept);
        StressResult.Checkpoint checkpoint = plan.job().checkpoint() == null ? StressResult.Checkpoint.NOT_CHECKED
                : checkpoint(Path.of(plan.fill(plan.job().checkpoint(), hosts, output)));
        return new StressResult.ScaleRun(scale, scale * plan.gpusPerNode(), exit, Files.isRegularFile(log), kept.size(),
                median, null, checkpoint, took.toMillis() / 1000.0, lastLine, List.of());
    }

    /** Each run's findings, now that every scale's throughput is known; efficiency against the smallest that has one. */
    private List<StressResult.ScaleRun> judge(List<StressResult.ScaleRun> runs) {
        Double base = runs.stream().map(StressResult.ScaleRun::perGpu).filter(v -> v != null).findFirst().orElse(null);
        int baseScale = runs.stream().filter(r -> r.perGpu() != null).mapToInt(StressResult.ScaleRun::scale).findFirst()
                .orElse(0);
        StressPlan.Job job = plan.job();
        List<StressResult.ScaleRun> judged = new ArrayList<>();
        for (StressResult.ScaleRun r : runs) {
            String at = r.scale() + " nodes";
            List<Finding> findings = new ArrayList<>();
            if (r.exitCode() != 0) {
                findings.add(new Finding(at, "job", Verdict.FAIL, r.exitCode() < 0 ? "timed out" : "exit " + r.exitCode(),
                        "exit 0", (r.exitCode() < 0 ? "the job did not end within " + job.timeout().toMinutes() + " min"
                        : "the job failed") + (r.lastLine().isEmpty() ? "" : "; its log ends: " + r.lastLine())));
            }
            if (!r.logFound()) {
                findings.add(new Finding(at, "log", Verdict.FAIL, "no " + job.log(), job.log(),
                        "the job wrote no log where the plan says: check the command's redirection and the shared folder"));
            } else if (r.steps() < job.minSteps()) {
                findings.add(new Finding(at, "log", Verdict.FAIL, r.steps() + " steps", "≥ " + job.minSteps() + " steps",
                        "too few throughput lines after the first " + job.warmupSteps() + " steps: the job stopped early, "
                                + "or logs nothing the plan's pattern matches (" + job.throughput() + ")"));
            }
            switch (r.checkpoint()) {
                case MISSING -> findings.add(new Finding(at, "checkpoint", Verdict.FAIL, "missing", "written",
                        "no checkpoint where the plan says: the save failed, or went to another path"));
                case UNREADABLE -> findings.add(new Finding(at, "checkpoint", Verdict.FAIL, "unreadable", "reads back",
                        "the checkpoint is there but does not read back (empty, or a file that cannot be read)"));
                default -> {
                }
            }
            Double efficiency = base == null || r.perGpu() == null ? null : r.perGpu() / base;
            if (job.expected() != null && r.perGpu() != null && r.perGpu() < job.expected() * (1 - job.tolerance())) {
                findings.add(new Finding(at, "throughput", Verdict.FAIL, String.format(Locale.ROOT, "%.1f %s",
                        r.perGpu(), job.unit()), String.format(Locale.ROOT, "≥ %.1f %s", job.expected()
                        * (1 - job.tolerance()), job.unit()), "below what this hardware reaches on this job: look for "
                        + "throttled GPUs (clock event reasons) and a slow node in the acceptance report"));
            }
            if (efficiency != null && r.scale() != baseScale) {
                Verdict v = efficiency < plan.efficiency().failBelow() ? Verdict.FAIL
                        : efficiency < plan.efficiency().warnBelow() ? Verdict.WARN : Verdict.PASS;
                if (v != Verdict.PASS) {
                    findings.add(new Finding(at, "scaling", v, String.format(Locale.ROOT, "%.0f %%", 100 * efficiency),
                            String.format(Locale.ROOT, "≥ %.0f %%", 100 * plan.efficiency().warnBelow()),
                            "per-GPU throughput against " + baseScale + " nodes': the fabric between the added nodes "
                                    + "(nccl-tests across them, link flaps, a switch's uplinks) or one slow node among them"));
                }
            }
            judged.add(new StressResult.ScaleRun(r.scale(), r.gpus(), r.exitCode(), r.logFound(), r.steps(), r.perGpu(),
                    efficiency, r.checkpoint(), r.seconds(), r.lastLine(), findings));
        }
        return judged;
    }

    /** Present, not empty, and each file's first and last bytes read back. */
    static StressResult.Checkpoint checkpoint(Path path) {
        if (!Files.exists(path)) {
            return StressResult.Checkpoint.MISSING;
        }
        try (Stream<Path> files = Files.isDirectory(path) ? Files.walk(path) : Stream.of(path)) {
            long total = 0;
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                long size = Files.size(file);
                try (InputStream in = Files.newInputStream(file)) {
                    in.readNBytes(CHECKPOINT_PROBE);
                    if (size > 2L * CHECKPOINT_PROBE) {
                        in.skipNBytes(size - 2L * CHECKPOINT_PROBE);
                        in.readNBytes(CHECKPOINT_PROBE);
                    }
                }
                total += size;
            }
            return total > 0 ? StressResult.Checkpoint.READ_BACK : StressResult.Checkpoint.UNREADABLE;
        } catch (IOException | UncheckedIOException e) {
            return StressResult.Checkpoint.UNREADABLE;
        }
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
