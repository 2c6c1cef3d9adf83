package dev.pitwall.server.cli;

import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.config.DurationText;
import dev.pitwall.core.storage.Database;
import dev.pitwall.planner.compare.RunMetrics;
import dev.pitwall.server.PitwallStore;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.report.Bootstrap;
import dev.pitwall.server.report.EffectReport;
import dev.pitwall.server.report.IntegrationReport;
import dev.pitwall.server.report.JobRecords;
import dev.pitwall.server.report.MetricDesignReport;
import dev.pitwall.trainops.incident.Incident;
import dev.pitwall.trainops.incident.Incidents;
import dev.pitwall.trainops.incident.StabilityReport;
import dev.pitwall.trainops.incident.SupportSummary;
import dev.pitwall.trainops.knowledge.KnowledgeBase;
import dev.pitwall.trainops.signal.Signal;
import dev.pitwall.trainops.signal.SignalStore;
import dev.pitwall.trainops.signal.StoredSignal;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "report", description = "Reports for the platform team that span Pitwall's parts.",
        mixinStandardHelpOptions = true)
final class ReportCommand extends CommandGroup {

    ReportCommand() {
        super(List.of(Metrics.class, Ab.class, Support.class, Stability.class, Integration.class));
    }

    @Command(name = "metrics", mixinStandardHelpOptions = true,
            description = {"The metric design report: every cluster metric Pitwall computes or reads (theoretical and "
                    + "effective TFLOPS, physical and logical utilisation, MTBF, node failure rate, scaling efficiency, "
                    + "goodput, time to detect and to recover …) with its formula, source, unit and where it is shown, "
                    + "from the code's own catalog.",
                "With a store (--data-dir or --config, or ./pitwall-data when it exists), each metric's value now: "
                    + "theoretical TFLOPS from the GPU catalog × the node agents' inventory, effective from the newest "
                    + "stored HPL-MxP results, the rest over the last 30 days."})
    static final class Metrics implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions store;

        @Option(names = "--precision", paramLabel = "NAME", defaultValue = "bf16",
                description = "The precision of the theoretical peak: fp64, fp32, tf32, bf16, fp16, fp8, int8 "
                        + "(default: ${DEFAULT-VALUE}).")
        String precision;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            PitwallConfig loaded;
            try {
                loaded = store.load();
            } catch (ConfigException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            MetricDesignReport.Now now = MetricDesignReport.Now.NOTHING;
            Database opened = null;
            try {
                opened = PitwallStore.openExisting(loaded, new SimpleMeterRegistry());
            } catch (IllegalStateException noStore) {
                if (store.dataDir != null || store.config != null) {
                    return PitwallCommand.usageError(spec, noStore.getMessage());
                }
                spec.commandLine().getErr().println("no Pitwall store in " + loaded.dataDir()
                        + ": the catalog without values (--data-dir or --config give them)");
            }
            if (opened != null) {
                spec.commandLine().getErr().println("reading " + opened.describe());
                try (Database database = opened) {
                    now = MetricDesignReport.now(database, Clock.systemUTC(), precision);
                }
            }
            format.write(spec.commandLine().getOut(), MetricDesignReport.json(now), MetricDesignReport.document(now));
            return 0;
        }
    }

    @Command(name = "ab", mixinStandardHelpOptions = true,
            description = {"Optimisation effect: the same figures before and after a change, each change with a bootstrap "
                    + "confidence interval and the data it came from; better or worse only where the interval leaves "
                    + "out no change.",
                "Two periods (FROM..TO: dates, ISO times or ages, e.g. 2026-11-01..2026-11-14, 60d..30d, 30d..) compare "
                    + "the cluster from the store: physical and logical GPU utilisation (hour by hour), incidents per "
                    + "day, time to recover and to detect; with --jobs each job's end-to-end hours, GPU-hours, cost "
                    + "(--price-per-gpu-hour) and tokens per second. Two runs (training log files: Megatron-LM, "
                    + "DeepSpeed, CSV, JSON lines) compare step time, TFLOPS per GPU, samples and tokens per second."})
    static final class Ab implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--before", required = true, paramLabel = "PERIOD|RUN", description = "Before the change.")
        String before;

        @Option(names = "--after", required = true, paramLabel = "PERIOD|RUN", description = "After the change.")
        String after;

        @Option(names = "--jobs", paramLabel = "FILE",
                description = "Finished jobs (CSV job,gpus,submitted,started,ended[,tokens], or sacct -X -P "
                        + "--format=JobID,Submit,Start,End,AllocTRES), for the per-job figures of two periods.")
        Path jobs;

        @Option(names = "--price-per-gpu-hour", paramLabel = "AMOUNT", description = "What a GPU-hour costs, for the cost per job.")
        Double price;

        @Option(names = "--currency", paramLabel = "CODE", defaultValue = "USD", description = "(default: ${DEFAULT-VALUE})")
        String currency;

        @Option(names = "--warmup-steps", paramLabel = "N", defaultValue = "10",
                description = "A run's first logged steps left out (default: ${DEFAULT-VALUE}).")
        int warmupSteps;

        @Option(names = "--resamples", paramLabel = "N", defaultValue = "10000", description = "(default: ${DEFAULT-VALUE})")
        int resamples;

        @Option(names = "--confidence", paramLabel = "P", defaultValue = "0.95", description = "(default: ${DEFAULT-VALUE})")
        double confidence;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
                description = "The resampling's seed: the same data give the same report (default: ${DEFAULT-VALUE}).")
        long seed;

        @Mixin
        StoreOptions store;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            Instant now = Clock.systemUTC().instant();
            EffectReport report;
            try {
                report = new EffectReport(new Bootstrap(resamples, confidence, seed));
            } catch (IllegalArgumentException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            boolean beforeIsPeriod = before.contains("..");
            boolean afterIsPeriod = after.contains("..");
            if (beforeIsPeriod != afterIsPeriod) {
                return PitwallCommand.usageError(spec, "--before and --after must both be periods (FROM..TO) or both "
                        + "runs (log files): got " + before + " and " + after);
            }
            return beforeIsPeriod ? periods(report, now) : runs(report);
        }

        private int runs(EffectReport report) throws IOException {
            if (warmupSteps < 0) {
                return PitwallCommand.usageError(spec, "--warmup-steps must be 0 or more");
            }
            EffectReport.Result result;
            try {
                result = report.runs(new EffectReport.RunData(run(before), warmupSteps),
                        new EffectReport.RunData(run(after), warmupSteps));
            } catch (IllegalArgumentException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            format.write(spec.commandLine().getOut(), EffectReport.json(result), EffectReport.document(result));
            return 0;
        }

        private int periods(EffectReport report, Instant now) throws Exception {
            Instant[] b;
            Instant[] a;
            List<JobRecords.Job> jobList = null;
            try {
                b = period("--before", before, now);
                a = period("--after", after, now);
                if (b[0].isBefore(a[1]) && a[0].isBefore(b[1])) {
                    throw new IllegalArgumentException("the periods overlap (" + b[0] + ".." + b[1] + " and " + a[0]
                            + ".." + a[1] + "): a figure cannot be both before and after");
                }
                if (price != null && !(price > 0)) {
                    throw new IllegalArgumentException("--price-per-gpu-hour must be above 0");
                }
                if (jobs != null) {
                    JobRecords read = JobRecords.read(jobs);
                    read.problems().forEach(p -> spec.commandLine().getErr().println(jobs + ": " + p + " (left out)"));
                    jobList = read.jobs();
                }
            } catch (IllegalArgumentException | NoSuchFileException e) {
                return PitwallCommand.usageError(spec, e instanceof NoSuchFileException
                        ? "no such file: " + e.getMessage() : e.getMessage());
            }
            List<JobRecords.Job> finished = jobList;
            return store.readExisting(spec, database -> {
                EffectReport.Result result = report.periods(periodData(database, b, finished),
                        periodData(database, a, finished),
                        price == null ? OptionalDouble.empty() : OptionalDouble.of(price), currency);
                format.write(spec.commandLine().getOut(), EffectReport.json(result), EffectReport.document(result));
                return 0;
            });
        }

        private static EffectReport.PeriodData periodData(Database database, Instant[] period, List<JobRecords.Job> jobs) {
            return new EffectReport.PeriodData(period[0], period[1],
                    new UtilizationStore(database).hourly(period[0], period[1]),
                    Incidents.reading(database, Clock.systemUTC()).detectedBetween(period[0], period[1]), jobs);
        }

        private static RunMetrics run(String file) throws IOException {
            Path path = Path.of(file);
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException(file + " is neither a period (FROM..TO) nor a run's log file");
            }
            return RunMetrics.read(path);
        }

        /**
         * FROM..TO, each a date (TO's day included), an ISO time or an age before now (30d, 12h); TO left
         * out is now.
         */
        static Instant[] period(String option, String text, Instant now) {
            String[] ends = text.split("\\.\\.", -1);
            if (ends.length != 2 || ends[0].isBlank()) {
                throw new IllegalArgumentException(option + " \"" + text + "\" is not a period FROM..TO (2026-11-01..2026-11-14, "
                        + "60d..30d, 30d..)");
            }
            Instant from = endpoint(option, ends[0], now, false);
            Instant to = ends[1].isBlank() ? now : endpoint(option, ends[1], now, true);
            if (!to.isAfter(from)) {
                throw new IllegalArgumentException(option + " \"" + text + "\" ends before it starts");
            }
            return new Instant[] {from, to};
        }

        private static Instant endpoint(String option, String text, Instant now, boolean end) {
            String t = text.strip();
            try {
                LocalDate day = LocalDate.parse(t);
                return (end ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                try {
                    return Instant.parse(t);
                } catch (DateTimeParseException notAnInstant) {
                    try {
                        return now.minus(DurationText.parse(t));
                    } catch (IllegalArgumentException notAnAge) {
                        throw new IllegalArgumentException(option + ": \"" + t + "\" is neither a date (2026-11-01), an "
                                + "ISO time (2026-11-01T08:00:00Z) nor an age (30d, 12h)");
                    }
                }
            }
        }
    }

    @Command(name = "support", mixinStandardHelpOptions = true,
            description = "The training-support summary for a period, of one job or all: incidents by failure mode with "
                    + "their time to recover and what their rules say to do, whether time to recover is falling, the "
                    + "knowledge entries written, and recommendations (nodes that failed twice, incidents never "
                    + "mitigated, fixes never written down).")
    static final class Support implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--period", paramLabel = "FROM..TO", defaultValue = "30d..",
                description = "Dates, ISO times or ages, as report ab takes them (default: ${DEFAULT-VALUE}, the last 30 days).")
        String period;

        @Option(names = "--job", paramLabel = "NAME", description = "Only this training job's incidents (as their signals named it).")
        String job;

        @Mixin
        StoreOptions store;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            Instant[] span;
            try {
                span = Ab.period("--period", period, Clock.systemUTC().instant());
            } catch (IllegalArgumentException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            return store.readExisting(spec, database -> {
                Clock clock = Clock.systemUTC();
                List<Incident> incidents = Incidents.reading(database, clock).detectedBetween(span[0], span[1]);
                SignalStore signals = new SignalStore(database, clock);
                Map<Long, List<Signal>> byIncident = new HashMap<>();
                for (Incident i : incidents) {
                    byIncident.put(i.id(), signals.ofIncident(i.id()).stream().map(StoredSignal::signal).toList());
                }
                SupportSummary summary;
                try (KnowledgeBase knowledge = new KnowledgeBase(database, clock)) {
                    summary = SupportSummary.of(incidents, byIncident, knowledge.all(), span[0], span[1], job);
                }
                format.write(spec.commandLine().getOut(), summary, summary.document());
                return 0;
            });
        }
    }

    @Command(name = "stability", mixinStandardHelpOptions = true,
            description = "The stability report of a long training run (days of it) from what Pitwall recorded while it "
                    + "ran: incidents, incident-free hours and the longest stretch, restarts, link flaps, thermal events "
                    + "and out-of-memory kills on its nodes; with --target-incident-free it passes or fails (exit 0 / 1).")
    static final class Stability implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--period", paramLabel = "FROM..TO", required = true,
                description = "The run's period: dates, ISO times or ages, as report ab takes them (72h.. for the last three days).")
        String period;

        @Option(names = "--job", paramLabel = "NAME", description = "The training job, as its log lines name it (default: every job).")
        String job;

        @Option(names = "--target-incident-free", paramLabel = "DURATION",
                description = "The longest incident-free stretch the run must show (72h), for a verdict.")
        Duration target;

        @Mixin
        StoreOptions store;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            Instant[] span;
            try {
                span = Ab.period("--period", period, Clock.systemUTC().instant());
            } catch (IllegalArgumentException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            return store.readExisting(spec, database -> {
                StabilityReport report = StabilityReport.read(database, Clock.systemUTC(), span[0], span[1], job, Set.of(),
                        target == null ? null : target.toMillis() / 3_600_000.0);
                format.write(spec.commandLine().getOut(), report, report.document());
                return "FAIL".equals(report.verdict()) ? CheckCommand.Evaluate.EXIT_FAIL : 0;
            });
        }
    }

    @Command(name = "integration", mixinStandardHelpOptions = true,
            description = "The integration test report: compute–network, compute–storage, the storage interface, the "
                    + "scheduler and monitoring, each with its target, the newest stored run's result and where to look "
                    + "first; an item never checked is named with the command that checks it. Exit 0 when every item "
                    + "passed or warned, 1 when one failed or was never checked.")
    static final class Integration implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions store;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            return store.readExisting(spec, database -> {
                IntegrationReport.Result result = IntegrationReport.of(new AcceptanceRuns(database, Clock.systemUTC()));
                format.write(spec.commandLine().getOut(), result, IntegrationReport.document(result));
                return result.verdict() == null || result.verdict() == Verdict.FAIL ? CheckCommand.Evaluate.EXIT_FAIL : 0;
            });
        }
    }
}
