package dev.pitwall.server.report;

import dev.pitwall.core.report.Document;
import dev.pitwall.planner.compare.RunMetrics;
import dev.pitwall.trainops.incident.Incident;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Did an optimisation pay off: the same figures before and after it, each change with a bootstrap
 * confidence interval and the data it came from. Two periods compare the cluster (physical and
 * logical GPU utilisation hour by hour, incidents per day, time to recover and to detect, and,
 * with a jobs file, each job's end-to-end hours, GPU-hours, cost and throughput); two runs
 * compare a training job's logs step by step (step time, TFLOPS per GPU, samples and tokens per
 * second), their first steps left out as warm-up.
 */
public final class EffectReport {

    /** How a change reads: better or worse when its interval leaves out zero, else no clear change. */
    public enum Reading {
        BETTER("better"), WORSE("worse"), NO_CLEAR_CHANGE("no clear change"), TOO_FEW("too few samples"),
        NOT_MEASURED("not measured");

        private final String text;

        Reading(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** One side's samples of a figure. */
    public record Side(int n, Double mean, double[] samples) {

        static Side of(double[] samples) {
            return new Side(samples.length, samples.length == 0 ? null : Arrays.stream(samples).average().orElseThrow(),
                    samples);
        }
    }

    /**
     * One figure compared.
     *
     * @param change   mean after − mean before, in the figure's unit (percentage points for a %); null when a side is empty
     * @param interval the change's bootstrap interval; null with fewer than {@link Bootstrap#MIN_SAMPLES} on a side
     * @param data     what the samples are and where they came from
     */
    public record Row(String metric, String unit, boolean higherIsBetter, Side before, Side after, Double change,
                      Bootstrap.Interval interval, Reading reading, String data) {
    }

    /**
     * What the report compares.
     *
     * @param before, after what each side is, as the user gave it and as read ("2026-11-01..2026-11-15", a log's path)
     */
    public record Result(String kind, String before, String after, Bootstrap bootstrap, List<Row> rows,
                         List<String> notes, List<Document.Lines> charts) {
    }

    /** A period's store figures; {@code jobs} null when no jobs file was given. */
    public record PeriodData(Instant from, Instant to, List<UtilizationStore.Hour> hours, List<Incident> incidents,
                             List<JobRecords.Job> jobs) {
    }

    /** A log's figures and the first steps that do not count. */
    public record RunData(RunMetrics run, int warmupSteps) {
    }

    /** A run metric as Megatron-LM, DeepSpeed or a CSV/JSON log may call it, and whether higher is better. */
    private record RunFigure(String title, String unit, boolean higherIsBetter, List<String> names) {
    }

    private static final List<RunFigure> RUN_FIGURES = List.of(
            new RunFigure("Step time", "ms", false, List.of("elapsed time per iteration (ms)", "step_time_ms", "step_ms",
                    "iteration_time_ms")),
            new RunFigure("Throughput per GPU", "TFLOPS", true, List.of("throughput per GPU (TFLOP/s/GPU)", "TFLOPs",
                    "tflops", "tflops_per_gpu")),
            new RunFigure("Samples per second", "samples/s", true, List.of("samples per second", "samples_per_second")),
            new RunFigure("Tokens per second", "tokens/s", true, List.of("tokens per second", "tokens_per_second",
                    "tokens_per_sec")));

    private final Bootstrap bootstrap;

    public EffectReport(Bootstrap bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** Two periods of the cluster, with the price of a GPU-hour when costs are wanted. */
    public Result periods(PeriodData before, PeriodData after, OptionalDouble pricePerGpuHour, String currency) {
        List<Row> rows = new ArrayList<>();
        rows.add(row("Physical GPU utilisation", "%", true, hourly(before, UtilizationStore.Hour::physicalPct),
                hourly(after, UtilizationStore.Hour::physicalPct), true,
                "hourly means of dcgm-exporter scrape rounds (allocated GPUs ÷ all)"));
        rows.add(row("Logical GPU utilisation", "%", true, hourly(before, UtilizationStore.Hour::logicalPct),
                hourly(after, UtilizationStore.Hour::logicalPct), true,
                "hourly means of the allocated GPUs' SM activity (or GPU utilisation)"));
        rows.add(row("Incidents per day", "/day", false, perDay(before), perDay(after), false,
                "incidents detected on each day of the period (a last part-day scaled to a day)"));
        rows.add(row("Time to recover (MTTR)", "min", false, recover(before), recover(after), false,
                "each mitigated incident's detection to mitigation"));
        rows.add(row("Time to detect", "s", false, detect(before), detect(after), false,
                "each incident's first signal to its detection"));
        List<String> notes = new ArrayList<>();
        if (before.jobs() != null && after.jobs() != null) {
            rows.add(row("End-to-end time per job", "h", false, jobs(before, JobRecords.Job::endToEndHours),
                    jobs(after, JobRecords.Job::endToEndHours), false, "each job ended in the period, submission to end"));
            rows.add(row("GPU-hours per job", "GPU-h", false, jobs(before, JobRecords.Job::gpuHours),
                    jobs(after, JobRecords.Job::gpuHours), false, "each job ended in the period: GPUs × running time"));
            if (pricePerGpuHour.isPresent()) {
                double price = pricePerGpuHour.getAsDouble();
                rows.add(row("Cost per job", currency, false, jobs(before, j -> j.gpuHours() * price),
                        jobs(after, j -> j.gpuHours() * price), false, String.format(Locale.ROOT,
                                "each job's GPU-hours × %s %.2f a GPU-hour", currency, price)));
            }
            rows.add(row("Throughput per job", "tokens/s", true, tokens(before), tokens(after), false,
                    "each job ended in the period with its tokens: tokens ÷ running time"));
            notes.add("Per-job figures compare like with like only when both periods ran the same kind of job: a jobs "
                    + "file of one model and size says more than the whole cluster's.");
        } else {
            notes.add("No jobs file (--jobs): end-to-end time, GPU-hours, cost and throughput per job are not compared.");
        }
        List<Document.Lines> charts = List.of(new Document.Lines("Physical GPU utilisation by hour", "hours into the period",
                "%", List.of(series("before", "#3b6fd6", before), series("after", "#e07b00", after)), null));
        return new Result("periods", period(before), period(after), bootstrap, rows, notes,
                charts.getFirst().series().stream().allMatch(s -> s.x().length == 0) ? List.of() : charts);
    }

    /** Two runs of a training job, step by step. */
    public Result runs(RunData before, RunData after) {
        List<Row> rows = new ArrayList<>();
        List<Document.Lines> charts = new ArrayList<>();
        for (RunFigure figure : RUN_FIGURES) {
            Optional<TreeMap<Long, Double>> a = find(before, figure);
            Optional<TreeMap<Long, Double>> b = find(after, figure);
            if (a.isEmpty() && b.isEmpty()) {
                continue;
            }
            double[] x = a.map(EffectReport::values).orElse(new double[0]);
            double[] y = b.map(EffectReport::values).orElse(new double[0]);
            rows.add(row(figure.title(), figure.unit(), figure.higherIsBetter(), x, y, true,
                    "each logged step after the first " + before.warmupSteps() + " (warm-up)"));
            if (charts.isEmpty() && a.isPresent() && b.isPresent()) {
                charts.add(new Document.Lines(figure.title() + " by step", "step", figure.unit(), List.of(
                        new Document.Series("before", "#3b6fd6", steps(a.get()), values(a.get())),
                        new Document.Series("after", "#e07b00", steps(b.get()), values(b.get()))), null));
            }
        }
        List<String> notes = new ArrayList<>();
        if (rows.isEmpty()) {
            notes.add("Neither log has a step time or throughput figure (" + RUN_FIGURES.stream()
                    .map(f -> f.names().getFirst()).toList() + "); they have " + before.run().metrics().keySet());
        }
        return new Result("runs", before.run().file(), after.run().file(), bootstrap, rows, notes, charts);
    }

    private Row row(String metric, String unit, boolean higherIsBetter, double[] before, double[] after, boolean series,
                    String data) {
        Side b = Side.of(before);
        Side a = Side.of(after);
        Double change = b.mean() == null || a.mean() == null ? null : a.mean() - b.mean();
        Bootstrap.Interval interval = bootstrap.differenceOfMeans(before, after, series);
        Reading reading;
        if (change == null) {
            reading = Reading.NOT_MEASURED;
        } else if (interval == null) {
            reading = Reading.TOO_FEW;
        } else if (!interval.excludesZero()) {
            reading = Reading.NO_CLEAR_CHANGE;
        } else {
            reading = (interval.low() > 0) == higherIsBetter ? Reading.BETTER : Reading.WORSE;
        }
        return new Row(metric, unit, higherIsBetter, b, a, change, interval, reading, data);
    }

    private Optional<TreeMap<Long, Double>> find(RunData run, RunFigure figure) {
        for (String name : figure.names()) {
            TreeMap<Long, Double> values = run.run().metrics().get(name);
            if (values != null) {
                TreeMap<Long, Double> kept = new TreeMap<>(values);
                for (int i = 0; i < run.warmupSteps() && !kept.isEmpty(); i++) {
                    kept.pollFirstEntry();
                }
                return Optional.of(kept);
            }
        }
        return Optional.empty();
    }

    private static double[] values(TreeMap<Long, Double> byStep) {
        return byStep.values().stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray();
    }

    private static double[] steps(TreeMap<Long, Double> byStep) {
        return byStep.entrySet().stream().filter(e -> Double.isFinite(e.getValue()))
                .mapToDouble(e -> e.getKey().doubleValue()).toArray();
    }

    private static double[] hourly(PeriodData p, Function<UtilizationStore.Hour, Double> figure) {
        return p.hours().stream().mapToDouble(figure::apply).toArray();
    }

    /**
     * Incidents a day, day by day over the period; a last part-day's count is scaled to a whole day,
     * so a short period gives a rate, not a count.
     */
    private static double[] perDay(PeriodData p) {
        double length = Duration.between(p.from(), p.to()).toMillis() / 86_400_000.0;
        int days = (int) Math.ceil(length);
        double[] rates = new double[days];
        for (Incident i : p.incidents()) {
            int day = (int) Duration.between(p.from(), i.detectedAt()).toDays();
            if (day >= 0 && day < days) {
                rates[day]++;
            }
        }
        double last = length - (days - 1);
        rates[days - 1] /= last;
        return rates;
    }

    private static double[] recover(PeriodData p) {
        return p.incidents().stream().flatMap(i -> i.timeToRecover().stream()).mapToDouble(d -> d.toMillis() / 60_000.0)
                .toArray();
    }

    private static double[] detect(PeriodData p) {
        return p.incidents().stream().flatMap(i -> i.timeToDetect().stream()).mapToDouble(d -> d.toMillis() / 1000.0)
                .toArray();
    }

    private static double[] jobs(PeriodData p, Function<JobRecords.Job, Double> figure) {
        return ended(p).stream().mapToDouble(figure::apply).toArray();
    }

    private static double[] tokens(PeriodData p) {
        return ended(p).stream().flatMapToDouble(j -> j.tokensPerSecond().stream()).toArray();
    }

    private static List<JobRecords.Job> ended(PeriodData p) {
        return p.jobs().stream().filter(j -> !j.ended().isBefore(p.from()) && j.ended().isBefore(p.to())).toList();
    }

    private static Document.Series series(String name, String colour, PeriodData p) {
        double[] x = p.hours().stream().mapToDouble(h -> Duration.between(p.from(), h.start()).toMinutes() / 60.0).toArray();
        return new Document.Series(name, colour, x, hourly(p, UtilizationStore.Hour::physicalPct));
    }

    private static String period(PeriodData p) {
        return p.from() + " .. " + p.to();
    }

    public static Document document(Result r) {
        List<Document.Section> sections = new ArrayList<>();
        sections.add(new Document.Facts("What is compared", List.of(
                new Document.Fact("Before", r.before()), new Document.Fact("After", r.after()),
                new Document.Fact("Intervals", String.format(Locale.ROOT, "%.0f %% percentile bootstrap of the change "
                                + "in means, %,d resamples, seed %d", 100 * r.bootstrap().confidence(),
                        r.bootstrap().resamples(), r.bootstrap().seed())))));
        List<List<String>> rows = new ArrayList<>();
        for (Row row : r.rows()) {
            rows.add(List.of(row.metric(), shown(row.before(), row.unit()), shown(row.after(), row.unit()),
                    change(row), interval(row), row.reading().text(), row.data()));
        }
        String confidence = String.format(Locale.ROOT, "%.0f %% interval", 100 * r.bootstrap().confidence());
        sections.add(new Document.Table("Before and after", List.of("figure", "before", "after", "change", confidence,
                "reading", "data"), rows));
        sections.addAll(r.charts());
        for (String note : r.notes()) {
            sections.add(new Document.Note("Note", note));
        }
        return new Document("Optimisation effect", "Each figure before and after, its change with a bootstrap "
                + "interval: better or worse only where the interval leaves out no change.", sections);
    }

    public static Map<String, Object> json(Result r) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", r.kind());
        json.put("before", r.before());
        json.put("after", r.after());
        json.put("confidence", r.bootstrap().confidence());
        json.put("resamples", r.bootstrap().resamples());
        json.put("seed", r.bootstrap().seed());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Row row : r.rows()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("figure", row.metric());
            entry.put("unit", row.unit());
            entry.put("higher_is_better", row.higherIsBetter());
            entry.put("before", side(row.before()));
            entry.put("after", side(row.after()));
            entry.put("change", row.change());
            entry.put("interval", row.interval() == null ? null : List.of(row.interval().low(), row.interval().high()));
            entry.put("reading", row.reading().text());
            entry.put("data", row.data());
            rows.add(entry);
        }
        json.put("figures", rows);
        json.put("notes", r.notes());
        return json;
    }

    private static Map<String, Object> side(Side s) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("n", s.n());
        json.put("mean", s.mean());
        json.put("samples", s.samples());
        return json;
    }

    private static String shown(Side s, String unit) {
        return s.mean() == null ? "not measured" : String.format(Locale.ROOT, "%s %s (n=%d)", number(s.mean()), unit, s.n());
    }

    private static String change(Row row) {
        if (row.change() == null) {
            return "";
        }
        String points = row.unit().equals("%") ? " pp" : " " + row.unit();
        String relative = row.before().mean() != 0 && !row.unit().equals("%")
                ? String.format(Locale.ROOT, " (%+.1f %%)", 100 * row.change() / row.before().mean()) : "";
        return (row.change() >= 0 ? "+" : "") + number(row.change()) + points + relative;
    }

    private static String interval(Row row) {
        return row.interval() == null ? "" : "[" + number(row.interval().low()) + ", " + number(row.interval().high()) + "]";
    }

    private static String number(double v) {
        double abs = Math.abs(v);
        return String.format(Locale.ROOT, abs >= 100 ? "%,.0f" : abs >= 10 ? "%.1f" : "%.2f", v);
    }
}
