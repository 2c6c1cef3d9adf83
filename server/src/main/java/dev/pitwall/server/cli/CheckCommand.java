package dev.pitwall.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.pitwall.acceptance.parse.Measurement;
import dev.pitwall.acceptance.parse.Problem;
import dev.pitwall.acceptance.parse.ToolOutput;
import dev.pitwall.acceptance.parse.ToolParsers;
import dev.pitwall.acceptance.report.AcceptanceReport;
import dev.pitwall.acceptance.run.CheckPlan;
import dev.pitwall.acceptance.run.CheckRunner;
import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.verdict.Baseline;
import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.NodeFigures;
import dev.pitwall.acceptance.verdict.ResultsEvaluator;
import dev.pitwall.acceptance.verdict.Scaling;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import dev.pitwall.server.PitwallStore;
import dev.pitwall.server.config.PitwallConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check",
        description = "Cluster acceptance checks: run them, read their outputs, judge the nodes.",
        mixinStandardHelpOptions = true)
final class CheckCommand extends CommandGroup {

    CheckCommand() {
        super(List.of(Run.class, Parse.class, Evaluate.class, ScalingCommand.class, CampaignCommand.class,
                StressCommand.class, StabilityCommand.class, MonitoringCommand.class, SchedulerCommand.class,
                StorageCommand.class));
    }

    /**
     * Keeps an evaluation as an acceptance run in the store the options name, saying where on
     * standard error; the exit code when it could not be stored.
     */
    static Optional<Integer> storeRun(CommandSpec spec, StoreOptions storeOptions, String heading, String profile,
                                      Evaluation evaluation) {
        return storeRun(spec, storeOptions, runs -> runs.save(heading, profile, evaluation));
    }

    /** Keeps a run as {@code save} stores it (with a report of its own), saying where; the exit code when it could not be. */
    static Optional<Integer> storeRun(CommandSpec spec, StoreOptions storeOptions, ToLongFunction<AcceptanceRuns> save) {
        try {
            PitwallConfig loaded = storeOptions.load();
            try (Database database = PitwallStore.open(loaded, new SimpleMeterRegistry())) {
                long id = save.applyAsLong(new AcceptanceRuns(database, java.time.Clock.systemUTC()));
                spec.commandLine().getErr().println("stored as acceptance run " + id + " in " + database.describe());
            }
            return Optional.empty();
        } catch (ConfigException | IllegalStateException e) {
            return Optional.of(PitwallCommand.usageError(spec, "not stored: " + e.getMessage()));
        }
    }

    @Command(name = "parse",
            description = "Read tool outputs (nccl-tests, fio JSON or text, dcgmi diag JSON or table, perftest, gpu-burn, nvidia-smi -q -x or -q, p2pBandwidthLatencyTest, HPL, HPL-MxP, ibv_devinfo, ofed_info and uname) and print what each file says: "
                    + "its key figures, pass/fail counts, the tool's own errors, and what could not be read. Exit 2 when a "
                    + "file cannot be read or is not a tool output Pitwall knows.",
            mixinStandardHelpOptions = true)
    static final class Parse implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Output files of the tools.")
        List<Path> files;

        @Option(names = "--format", paramLabel = "json|text", defaultValue = "text",
                description = "json: an array with one object per file; text: a summary per file (default: ${DEFAULT-VALUE}).")
        OutputFormat format;

        @Override
        public Integer call() throws JsonProcessingException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<String> refused = format.refusedUnless(OutputFormat.TEXT, OutputFormat.JSON);
            if (refused.isPresent()) {
                return PitwallCommand.usageError(spec, refused.get());
            }
            List<ToolOutput> outputs = new ArrayList<>();
            boolean unreadable = false;
            for (Path file : files) {
                try {
                    ToolOutput output = ToolParsers.parse(file);
                    outputs.add(output);
                    unreadable |= output.tool().equals(ToolParsers.UNKNOWN);
                } catch (NoSuchFileException e) {
                    err.println(file + ": no such file");
                    unreadable = true;
                } catch (IOException e) {
                    err.println(file + ": cannot be read: " + e.getMessage());
                    unreadable = true;
                }
            }
            if (format == OutputFormat.JSON) {
                out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(outputs));
            } else {
                outputs.forEach(output -> summarize(output, out));
            }
            out.flush();
            return unreadable ? PitwallCommand.EXIT_USAGE : 0;
        }

        /** The file's key figures (those a verdict judges), its pass/fail counts, the tool's errors and what was not read. */
        private static void summarize(ToolOutput output, PrintWriter out) {
            if (output.tool().equals(ToolParsers.UNKNOWN)) {
                out.println(output.file() + ": " + output.problems().getFirst().reason());
                return;
            }
            out.println(output.file() + ": " + output.tool() + (output.host() == null ? "" : " on " + output.host())
                    + " (" + output.measurements().size() + " measurements; --format json lists them)");
            NodeFigures.of(List.of(output)).forEach((name, figure) -> out.println(String.format(Locale.ROOT,
                    "  %-40s %,.2f %s%s", name, figure.value(), figure.unit(),
                    figure.setup().isEmpty() ? "" : " (" + figure.setup() + ")")));
            Map<String, long[]> passes = new TreeMap<>();
            for (Measurement m : output.measurements()) {
                if (m.unit().equals("ok") || m.unit().equals("pass")) {
                    long[] counts = passes.computeIfAbsent(m.name(), n -> new long[2]);
                    counts[m.value() > 0 ? 0 : 1]++;
                }
            }
            passes.forEach((name, counts) -> out.printf("  %-40s %d passed, %d failed%n", name, counts[0], counts[1]));
            for (Problem error : output.warnings()) {
                out.println("  error" + (error.line() > 0 ? ", line " + error.line() : "") + ": " + error.reason()
                        + (error.text().isEmpty() ? "" : ": " + error.text()));
            }
            for (Problem problem : output.problems()) {
                out.println("  could not read" + (problem.line() > 0 ? ", line " + problem.line() : "") + ": "
                        + problem.reason());
            }
        }
    }

    @Command(name = "evaluate",
            description = "Judge a results folder (one sub-folder per node): the tools' own failures, node "
                    + "consistency and slow nodes against the fleet. Exit 0 pass, 1 fail, 2 could not evaluate.",
            mixinStandardHelpOptions = true)
    static final class Evaluate implements Callable<Integer> {

        static final int EXIT_FAIL = 1;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "RESULTS_DIR", description = "The folder the checks wrote: RESULTS_DIR/<node>/<tool output>.")
        Path results;

        @Option(names = "--format", paramLabel = "text|json|html|md", defaultValue = "text",
                description = "text: a summary; json: the verdict, each node's, every finding and figure; html: the "
                        + "acceptance report as one self-contained page; md: the report in Markdown (default: ${DEFAULT-VALUE}).")
        OutputFormat format;

        @Option(names = "--title", paramLabel = "TEXT", description = "The report's title (default: Cluster acceptance: RESULTS_DIR).")
        String title;

        @Option(names = "--profile", paramLabel = "NAME|FILE",
                description = "Hold every node to a hardware profile's baselines too: h100-sxm-8x, a100-sxm-8x, "
                        + "h20-8x, l40s-pcie-8x, or a YAML profile file.")
        String profile;

        @Option(names = "--store", description = "Also keep the run and its verdict in Pitwall's store, where the console "
                + "lists it (the store pitwall.yaml names, or --config's or --data-dir's).")
        boolean store;

        @Mixin
        StoreOptions storeOptions;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            if (!java.nio.file.Files.isDirectory(results)) {
                spec.commandLine().getErr().println(results + ": not a folder of results");
                return PitwallCommand.EXIT_USAGE;
            }
            Optional<Baseline> baseline;
            try {
                baseline = Optional.ofNullable(profile).map(Baseline::load);
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return PitwallCommand.EXIT_USAGE;
            }
            Evaluation evaluation = ResultsEvaluator.evaluate(results, baseline);
            String heading = title != null ? title : "Cluster acceptance: " + results.toAbsolutePath().normalize().getFileName();
            String profileName = baseline.map(Baseline::name).orElse(null);
            if (store && evaluation.evaluable()) {
                Optional<Integer> failed = storeRun(spec, storeOptions, heading, profileName, evaluation);
                if (failed.isPresent()) {
                    return failed.get();
                }
            }
            if (format == OutputFormat.JSON) {
                out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(evaluation));
            } else if (format == OutputFormat.HTML) {
                out.print(AcceptanceReport.html(heading, profileName, evaluation));
            } else if (format == OutputFormat.MD) {
                out.print(AcceptanceReport.markdown(heading, profileName, evaluation));
            } else {
                out.println(results + ": " + (evaluation.evaluable() ? evaluation.verdict() : "NOT EVALUATED")
                        + " (" + evaluation.files() + " tool outputs, " + evaluation.nodes().size() + " nodes)");
                evaluation.nodes().forEach((node, verdict) -> out.printf("  %-24s %s%n", node, verdict));
                for (Finding finding : evaluation.findings()) {
                    out.println("  " + finding.verdict() + " " + finding.node() + " " + finding.check() + ": "
                            + finding.detail());
                }
                evaluation.unread().forEach(file -> out.println("  not read: " + file + " (no parser recognises it)"));
            }
            out.flush();
            if (!evaluation.evaluable()) {
                return PitwallCommand.EXIT_USAGE;
            }
            return evaluation.verdict() == Verdict.FAIL ? EXIT_FAIL : 0;
        }
    }

    @Command(name = "scaling",
            description = "Scaling efficiency from nccl-tests runs of the same test at 1, 2, 4, 8 ... nodes: each run's bus "
                    + "bandwidth at its largest message against the smallest run's (under 90%% warns, under 80%% fails). "
                    + "Exit 0 pass, 1 fail, 2 could not read.",
            mixinStandardHelpOptions = true)
    static final class ScalingCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "nccl-tests outputs, one run each (the hosts in their headers give the node count).")
        List<Path> files;

        @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws IOException {
            Optional<String> refused = format.refusedUnless(OutputFormat.TEXT, OutputFormat.JSON);
            if (refused.isPresent()) {
                return PitwallCommand.usageError(spec, refused.get());
            }
            List<ToolOutput> outputs = new ArrayList<>();
            for (Path file : files) {
                try {
                    outputs.add(ToolParsers.parse(file));
                } catch (NoSuchFileException e) {
                    spec.commandLine().getErr().println(file + ": no such file");
                    return PitwallCommand.EXIT_USAGE;
                }
            }
            List<Scaling.Point> points;
            try {
                points = Scaling.of(outputs);
            } catch (IllegalArgumentException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            if (points.isEmpty()) {
                spec.commandLine().getErr().println("no nccl-tests run with results among these files");
                return PitwallCommand.EXIT_USAGE;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (format == OutputFormat.JSON) {
                out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(points));
            } else {
                out.printf("%-22s %6s %6s %12s %11s  %s%n", "test", "nodes", "ranks", "busbw GB/s", "efficiency", "verdict");
                for (Scaling.Point p : points) {
                    out.printf(java.util.Locale.ROOT, "%-22s %6d %6d %12.2f %10.1f%%  %s%n", p.test(), p.nodes(), p.ranks(),
                            p.busbwGbps(), p.efficiency() * 100, p.verdict());
                }
            }
            out.flush();
            return points.stream().anyMatch(p -> p.verdict() == Verdict.FAIL) ? Evaluate.EXIT_FAIL : 0;
        }
    }

    @Command(name = "run",
            description = "Run a plan's checks on every node (locally, or through ssh, srun or kubectl exec) and save "
                    + "each output under RESULTS_DIR/<node>/. Exit 0 when every step succeeded, 1 otherwise.",
            mixinStandardHelpOptions = true)
    static final class Run implements Callable<Integer> {

        private static final int BAR = 20;

        @Spec
        CommandSpec spec;

        @Option(names = "--plan", paramLabel = "NAME|FILE", required = true,
                description = "quick (a few minutes a node), full (about an hour), or a YAML plan file.")
        String plan;

        @Option(names = "--results", paramLabel = "DIR", required = true,
                description = "Where outputs go: DIR/<node>/<output>, and DIR/run.json.")
        Path results;

        @Option(names = "--nodes", paramLabel = "NODE", split = ",",
                description = "The nodes, comma-separated (default: the plan's; for a local plan, this host).")
        List<String> nodes;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            CheckPlan loaded;
            try {
                loaded = CheckPlan.load(plan);
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return PitwallCommand.EXIT_USAGE;
            }
            List<String> targets = nodes != null && !nodes.isEmpty() ? nodes
                    : !loaded.nodes().isEmpty() ? loaded.nodes()
                    : loaded.runner().equals("local") ? List.of(java.net.InetAddress.getLocalHost().getHostName()) : List.of();
            if (targets.isEmpty()) {
                spec.commandLine().getErr().println("plan " + loaded.name() + " runs through " + loaded.runner()
                        + ": name the nodes with --nodes or in the plan's nodes:");
                return PitwallCommand.EXIT_USAGE;
            }
            int total = targets.size() * loaded.steps().size();
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            out.println("Running plan " + loaded.name() + " (" + loaded.steps().size() + " steps) on " + targets.size()
                    + " node(s) through " + loaded.runner() + "; outputs in " + results);
            out.flush();
            CheckRunner.RunRecord record = CheckRunner.run(loaded, targets, results, java.time.Clock.systemUTC(), result -> {
                int n = done.incrementAndGet();
                int filled = n * BAR / total;
                String status = result.ok() ? "ok" : result.timedOut() ? "stopped at its time budget"
                        : result.error() != null ? "could not start: " + result.error() : "exit " + result.exitCode();
                synchronized (out) {
                    out.printf(java.util.Locale.ROOT, "[%s%s] %d/%d %s %s: %s (%.1f s)%n", "#".repeat(filled),
                            "-".repeat(BAR - filled), n, total, result.node(), result.step(), status, result.seconds());
                    out.flush();
                }
            });
            out.println((record.allOk() ? "All steps succeeded." : "Some steps failed; their outputs are saved too.")
                    + " Next: pitwall check evaluate " + results);
            out.flush();
            return record.allOk() ? 0 : Evaluate.EXIT_FAIL;
        }
    }
}
