package dev.pitwall.server.cli;

import dev.pitwall.acceptance.store.RunKind;
import dev.pitwall.acceptance.stress.StressPlan;
import dev.pitwall.acceptance.stress.StressResult;
import dev.pitwall.acceptance.stress.StressRunner;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.sim.cluster.StressJobOutputs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "stress", mixinStandardHelpOptions = true,
        description = {"Training stress test: run a reference training job at several scales (the stress plan's 32, 64 "
                + "and 128 nodes, or --scales) and judge each run: throughput per GPU against the plan's expectation, "
                + "scaling efficiency against the smallest scale (under 90 %% warns, under 80 %% fails), a checkpoint "
                + "that reads back, a log that kept arriving.",
            "--simulate N runs it on a simulated cluster of N nodes (--faulty: a congested spine at the largest scale, "
                + "a failed save at the middle one). Exit 0 pass or warn, 1 fail, 2 when it cannot be run."})
final class StressCommand implements Callable<Integer> {

    private static final DateTimeFormatter FOLDER = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Option(names = "--plan", paramLabel = "NAME|FILE", defaultValue = "stress",
            description = "stress (a GPT reference job through Slurm), or a YAML stress plan (default: ${DEFAULT-VALUE}).")
    String plan;

    @Option(names = "--nodes", paramLabel = "NODE", split = ",", description = "The nodes, as many as the largest scale.")
    List<String> nodes;

    @Option(names = "--scales", paramLabel = "N", split = ",", description = "Node counts (default: the plan's).")
    List<Integer> scales;

    @Option(names = "--results", paramLabel = "DIR",
            description = "Where each scale's outputs go (default: <data dir>/stress/<time>).")
    Path results;

    @Option(names = "--simulate", paramLabel = "N", description = "Run on a simulated cluster of N nodes instead.")
    Integer simulate;

    @Option(names = "--faulty", description = "With --simulate: a congested spine at the largest scale, a failed save at the middle one.")
    boolean faulty;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "The simulation's seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--store", description = "Keep the result as an acceptance run, with its report, for the console's Reports page.")
    boolean store;

    @Mixin
    StoreOptions storeOptions;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
    OutputFormat format;

    @Override
    public Integer call() throws Exception {
        StressPlan loaded;
        Path folder;
        try {
            loaded = StressPlan.load(plan);
            if (scales != null) {
                loaded = loaded.withScales(scales);
            }
            folder = results != null ? results : storeOptions.load().dataDir().resolve("stress")
                    .resolve(FOLDER.format(Instant.now()));
        } catch (ConfigException e) {
            return PitwallCommand.usageError(spec, e.getMessage());
        }
        if ((simulate == null) == (nodes == null)) {
            return PitwallCommand.usageError(spec, "give the nodes (--nodes a,b,…) or --simulate N, one of them");
        }
        if (faulty && simulate == null) {
            return PitwallCommand.usageError(spec, "--faulty goes with --simulate");
        }
        List<String> onto = simulate != null
                ? IntStream.rangeClosed(1, simulate).mapToObj(i -> String.format(Locale.ROOT, "sim-n%03d", i)).toList()
                : nodes;
        StressRunner.Launcher launcher = simulate != null ? simulated(loaded) : StressRunner.SHELL;
        StressResult result;
        try {
            result = new StressRunner(loaded, launcher, Clock.systemUTC()).run(onto, folder);
        } catch (IllegalArgumentException e) {
            return PitwallCommand.usageError(spec, e.getMessage());
        }
        if (store) {
            String name = RunKind.STRESS.named(loaded.name() + " at " + String.join(", ",
                    loaded.scales().stream().map(String::valueOf).toList()) + " nodes");
            Optional<Integer> failed = CheckCommand.storeRun(spec, storeOptions, runs -> runs.save(name,
                    result.evaluation(), DocumentWriter.html(result.document())));
            if (failed.isPresent()) {
                return failed.get();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(format == OutputFormat.JSON
                ? Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n"
                : DocumentWriter.write(result.document(), format.id()));
        out.flush();
        return result.verdict() == Verdict.FAIL ? CheckCommand.Evaluate.EXIT_FAIL : 0;
    }

    /** The job's outputs as the simulated cluster would leave them, at each scale. */
    private StressRunner.Launcher simulated(StressPlan loaded) {
        List<Integer> s = loaded.scales();
        StressJobOutputs.Faults faults = faulty
                ? new StressJobOutputs.Faults(s.getLast(), s.size() >= 3 ? s.get(s.size() / 2) : 0, 0)
                : StressJobOutputs.Faults.NONE;
        Instant start = Instant.now();
        return (n, command, output, timeout) -> StressJobOutputs.write(output, loaded.job().log(), n, s.getFirst(),
                loaded.gpusPerNode(), 60, faults, seed, start);
    }
}
