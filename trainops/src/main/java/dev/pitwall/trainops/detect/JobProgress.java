package dev.pitwall.trainops.detect;

import dev.pitwall.trainops.signal.Severity;
import dev.pitwall.trainops.signal.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Conditions on a job's progress, read from its Megatron-LM / DeepSpeed iteration lines
 * ({@code iteration 120/ 5000 | elapsed time per iteration (ms): 812.4 | lm loss: 2.31E+00 | ...}),
 * per job log (node and source): a loss spike against the job's recent losses, a throughput drop
 * (a step much slower than the recent median), and stalled progress (no new step for many times
 * the median step time).
 *
 * <p>Each job log's recent history lives in a {@link Histories}: in memory here, in the store
 * where replicas share it and a restart keeps it ({@code JobHistories} in the ingest package).
 */
public final class JobProgress {

    private static final Pattern ITERATION = Pattern.compile("\\biteration\\s+(\\d+)\\s*/\\s*\\d+\\s*\\|");
    /** The step's values, each matched where its literal starts (a step line is long, and every one is read). */
    private static final Pattern LOSS = Pattern.compile("(?<=\\|\\s{0,16}(?:lm )?)loss:\\s*([-+0-9.eE]+)\\s*\\|");
    private static final String LOSS_LITERAL = "loss:";
    private static final Pattern STEP_MS = Pattern.compile("elapsed time per iteration \\(ms\\):\\s*([0-9.]+)");
    private static final String STEP_MS_LITERAL = "elapsed time per iteration (ms):";
    /** Steps of history a condition compares against; fewer than MIN_HISTORY and nothing is judged. */
    static final int HISTORY = 50;
    static final int MIN_HISTORY = 20;
    /** A loss this many standard deviations above the recent mean, and 20% above it, is a spike. */
    static final double SPIKE_SIGMAS = 4;
    static final double SPIKE_RATIO = 1.2;
    /** A step this much slower than the recent median is a throughput drop. */
    static final double SLOW_RATIO = 1.3;
    /** No step for this many median step times (and at least two minutes) is a stall. */
    static final double STALL_STEPS = 10;
    static final Duration MIN_STALL = Duration.ofMinutes(2);

    /** A signal and the node it concerns. */
    public record Finding(String node, String source, Signal signal) {
    }

    /** One job log's recent steps: losses and step times, the last iteration and when it came, and whether its stall was said. */
    public static final class History {
        final Deque<Double> losses = new ArrayDeque<>();
        final Deque<Double> stepMs = new ArrayDeque<>();
        long lastIteration = -1;
        Instant lastStepAt;
        boolean stallReported;

        public History() {
        }

        /** A history as it was kept. */
        public History(List<Double> losses, List<Double> stepMs, long lastIteration, Instant lastStepAt,
                       boolean stallReported) {
            this.losses.addAll(losses);
            this.stepMs.addAll(stepMs);
            this.lastIteration = lastIteration;
            this.lastStepAt = lastStepAt;
            this.stallReported = stallReported;
        }

        public List<Double> losses() {
            return List.copyOf(losses);
        }

        public List<Double> stepMs() {
            return List.copyOf(stepMs);
        }

        public long lastIteration() {
            return lastIteration;
        }

        public Instant lastStepAt() {
            return lastStepAt;
        }

        public boolean stallReported() {
            return stallReported;
        }
    }

    /** A job log: the node that wrote it and its source there. */
    public record Log(String node, String source) {
    }

    /** Where each job log's history is kept. */
    public interface Histories {
        /**
         * Runs {@code change} on each log's history (a new one where it has none) and keeps the
         * histories it leaves; each log's change is atomic.
         */
        void update(Collection<Log> logs, BiConsumer<Log, History> change);

        /** The logs that have a history, for the stall check. */
        List<Log> logs();
    }

    /** Histories in this process's memory: lost on restart, not shared by replicas. */
    public static final class InMemory implements Histories {
        private final Map<Log, History> histories = new ConcurrentHashMap<>();

        @Override
        public void update(Collection<Log> logs, BiConsumer<Log, History> change) {
            for (Log log : logs) {
                History history = histories.computeIfAbsent(log, l -> new History());
                synchronized (history) {
                    change.accept(log, history);
                }
            }
        }

        @Override
        public List<Log> logs() {
            return List.copyOf(histories.keySet());
        }
    }

    private final Histories histories;

    public JobProgress() {
        this(new InMemory());
    }

    public JobProgress(Histories histories) {
        this.histories = histories;
    }

    /** A line of a job log (the node and source name the log) and when it was written. */
    public record Line(String node, String source, String text, Instant at) {
    }

    /**
     * Reads a batch of lines in their order; answers the signals they show by each line's index in
     * the batch. A log's history is taken once for all of its steps in the batch, so a history kept
     * in the store costs one transaction per log and batch, not one per step.
     */
    public Map<Integer, Signal> observe(List<Line> lines) {
        Map<Log, List<Step>> steps = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            // indexOf is far cheaper than the expression's try at every position of every line.
            if (!line.text().contains("iteration")) {
                continue;
            }
            Matcher it = ITERATION.matcher(line.text());
            if (it.find()) {
                steps.computeIfAbsent(new Log(line.node(), line.source()), log -> new ArrayList<>())
                        .add(new Step(i, it.group(1)));
            }
        }
        Map<Integer, Signal> found = new HashMap<>();
        histories.update(steps.keySet(), (log, h) -> {
            for (Step step : steps.get(log)) {
                judge(h, step.iteration(), lines.get(step.index())).ifPresent(s -> found.put(step.index(), s));
            }
        });
        return found;
    }

    /** A step line: its index in the batch and the iteration it reports. */
    private record Step(int index, String iteration) {
    }

    /** Takes one step into the history; a signal when it is a spike or a drop against the steps before it. */
    private static Optional<Signal> judge(History h, String iteration, Line step) {
        String line = step.text();
        h.lastIteration = Long.parseLong(iteration);
        h.lastStepAt = step.at();
        h.stallReported = false;
        Optional<Signal> found = Optional.empty();
        Double loss = number(LOSS, LOSS_LITERAL, line);
        if (loss != null && Double.isFinite(loss)) {
            if (h.losses.size() >= MIN_HISTORY) {
                double mean = 0;
                for (double x : h.losses) {
                    mean += x;
                }
                mean /= h.losses.size();
                double squares = 0;
                for (double x : h.losses) {
                    squares += (x - mean) * (x - mean);
                }
                double sd = Math.sqrt(squares / h.losses.size());
                if (loss > mean + SPIKE_SIGMAS * sd && loss > mean * SPIKE_RATIO) {
                    found = Optional.of(signal("loss-spike", Severity.WARNING, line, Map.of("loss", fmt(loss),
                                    "recent_mean", fmt(mean), "iteration", iteration),
                            String.format(Locale.ROOT, "loss %.4g jumped above its recent mean %.4g (%.1f sigma)", loss,
                                    mean, sd > 0 ? (loss - mean) / sd : 0),
                            "watch the next steps; if it does not come back, restart from the last checkpoint with the "
                                    + "offending batch skipped or a lower learning rate"));
                }
            }
            push(h.losses, loss);
        }
        Double ms = number(STEP_MS, STEP_MS_LITERAL, line);
        if (ms != null) {
            if (found.isEmpty() && h.stepMs.size() >= MIN_HISTORY) {
                double median = median(h.stepMs);
                if (ms > median * SLOW_RATIO) {
                    found = Optional.of(signal("throughput-drop", Severity.WARNING, line, Map.of("step_ms", fmt(ms),
                                    "median_ms", fmt(median), "iteration", iteration),
                            String.format(Locale.ROOT, "a step took %.0f ms against a recent median of %.0f ms", ms, median),
                            "look for a slow node (clocks, thermals, a degraded link) or a storage or data-loader stall"));
                }
            }
            push(h.stepMs, ms);
        }
        return found;
    }

    /** Jobs that logged steps before and none for many median step times: one finding per stall. */
    public List<Finding> stalled(Instant now) {
        List<Finding> out = new ArrayList<>();
        histories.update(histories.logs(), (log, h) -> {
            if (h.stallReported || h.lastStepAt == null || h.stepMs.size() < MIN_HISTORY) {
                return;
            }
            Duration limit = Duration.ofMillis((long) (median(h.stepMs) * STALL_STEPS));
            if (limit.compareTo(MIN_STALL) < 0) {
                limit = MIN_STALL;
            }
            Duration quiet = Duration.between(h.lastStepAt, now);
            if (quiet.compareTo(limit) > 0) {
                h.stallReported = true;
                out.add(new Finding(log.node(), log.source(), signal("stalled-progress", Severity.ERROR,
                        "no iteration after " + h.lastIteration, Map.of("last_iteration", Long.toString(h.lastIteration),
                                "quiet_s", Long.toString(quiet.toSeconds())),
                        String.format(Locale.ROOT, "no training step for %d s (the median step takes %.1f s)",
                                quiet.toSeconds(), median(h.stepMs) / 1000),
                        "the job is hung or dead: check its ranks for a collective that never finished, then restart "
                                + "from the last checkpoint")));
            }
        });
        return out;
    }

    private static Signal signal(String rule, Severity severity, String line, Map<String, String> fields, String meaning,
                                 String action) {
        String text = line.strip();
        return new Signal(rule, "training", severity, fields, meaning, action,
                text.length() > 240 ? text.substring(0, 240) + "…" : text);
    }

    private static void push(Deque<Double> values, double value) {
        values.addLast(value);
        if (values.size() > HISTORY) {
            values.removeFirst();
        }
    }

    private static double median(Deque<Double> values) {
        double[] sorted = new double[values.size()];
        int i = 0;
        for (double v : values) {
            sorted[i++] = v;
        }
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Double number(Pattern pattern, String literal, String line) {
        Matcher m = pattern.matcher(line);
        if (!LogMatcher.findAtLiteral(m, line, List.of(literal))) {
            return null;
        }
        try {
            return Double.valueOf(m.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
