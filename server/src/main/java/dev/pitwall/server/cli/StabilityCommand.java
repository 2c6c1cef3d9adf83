package dev.pitwall.server.cli;

import dev.pitwall.acceptance.stress.StressPlan;
import dev.pitwall.acceptance.stress.StressRunner;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.trainops.incident.StabilityReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "stability", mixinStandardHelpOptions = true,
        description = {"Training stability test: run the plan's reference job on the nodes for the duration (days; "
                + "Pitwall stops it when the duration ends), then judge the run from what this Pitwall's store recorded "
                + "meanwhile, as report stability does: incidents on its nodes, incident-free hours and the longest "
                + "stretch, restarts, GPU memory growth, link flaps, thermal events, out-of-memory kills.",
            "The node agents must ship the nodes' logs to the server whose store is given. Exit 0 when the run held "
                + "(and met --target-incident-free), 1 when it failed to, 2 when it cannot be run."})
final class StabilityCommand implements Callable<Integer> {

    private static final DateTimeFormatter FOLDER = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Option(names = "--plan", paramLabel = "NAME|FILE", defaultValue = "stress",
            description = "The plan whose job runs: stress (a GPT reference job through Slurm) or a YAML stress plan "
                    + "(default: ${DEFAULT-VALUE}); give it enough iterations to run for the duration.")
    String plan;

    @Option(names = "--nodes", paramLabel = "NODE", split = ",", required = true, description = "The nodes it runs on.")
    List<String> nodes;

    @Option(names = "--duration", paramLabel = "DURATION", required = true, description = "How long it runs (72h).")
    Duration duration;

    @Option(names = "--job", paramLabel = "NAME",
            description = "The job's name as its log lines give it (default: the incidents on its nodes count).")
    String job;

    @Option(names = "--target-incident-free", paramLabel = "DURATION",
            description = "The longest incident-free stretch the run must show, for a verdict.")
    Duration target;

    @Option(names = "--results", paramLabel = "DIR", description = "Where the job's log goes (default: <data dir>/stability/<time>).")
    Path results;

    @Mixin
    StoreOptions store;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
    OutputFormat format;

    @Override
    public Integer call() throws Exception {
        StressPlan loaded;
        Path output;
        try {
            loaded = StressPlan.load(plan);
            output = results != null ? results : store.load().dataDir().resolve("stability")
                    .resolve(FOLDER.format(Instant.now()));
        } catch (ConfigException e) {
            return PitwallCommand.usageError(spec, e.getMessage());
        }
        if (duration.isNegative() || duration.isZero()) {
            return PitwallCommand.usageError(spec, "--duration must be longer than nothing");
        }
        // The store is opened before the job starts: a missing one is said now, not days later.
        return store.readExisting(spec, database -> {
            Files.createDirectories(output);
            Clock clock = Clock.systemUTC();
            Instant start = clock.instant();
            spec.commandLine().getErr().println("running " + loaded.name() + "'s job on " + nodes.size() + " nodes for "
                    + duration + ", its log in " + output);
            int exit = StressRunner.SHELL.run(nodes.size(), loaded.fill(loaded.job().command(), nodes, output), output,
                    duration);
            Instant end = clock.instant();
            double hours = Duration.between(start, end).toMillis() / 3_600_000.0;
            String outcome = exit == -1 ? "ran until the duration ended, and was stopped then"
                    : String.format(Locale.ROOT, exit == 0 ? "ended by itself after %.2f h, before the duration"
                    : "failed with exit " + exit + " after %.2f h", hours);
            spec.commandLine().getErr().println("the job " + outcome);
            StabilityReport report = StabilityReport.read(database, clock, start, end, job, new TreeSet<>(nodes),
                    target == null ? null : target.toMillis() / 3_600_000.0);
            format.write(spec.commandLine().getOut(), report, report.document());
            boolean held = exit == -1 || exit == 0;
            return !held || "FAIL".equals(report.verdict()) ? CheckCommand.Evaluate.EXIT_FAIL : 0;
        });
    }
}
