package dev.pitwall.server.cli;

import dev.pitwall.acceptance.scheduler.SchedulerSnapshot;
import dev.pitwall.acceptance.scheduler.SnapshotCheck;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "scheduler", mixinStandardHelpOptions = true,
        description = {"Check a cluster's scheduling from a snapshot of kubectl JSON (nodes, pods, Volcano PodGroups, "
                + "Kueue pod groups and Topologies, Volcano HyperNodes): gangs that can never fit, gangs partly running past their "
                + "timeout, gangs blocking each other, topologies that are not a strict tree or nodes missing a "
                + "level's label, and free GPUs only in pieces smaller than any pending pod asks.",
            "Collect with: kubectl get nodes,pods -A -o json > DIR/cluster.json; kubectl get podgroups -A -o json > "
                + "DIR/podgroups.json; kubectl get topologies -o json > DIR/topologies.json. "
                + "Exit 0 when nothing fails, 1 when something does, 2 when the snapshot cannot be read."})
final class SchedulerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--snapshot", paramLabel = "DIR", required = true, description = "A folder of kubectl JSON dumps.")
    Path snapshot;

    @Option(names = "--gang-timeout", paramLabel = "DURATION", defaultValue = "5m",
            description = "How long a gang may run partly (Kueue's waitForPodsReady default) (default: ${DEFAULT-VALUE}).")
    Duration gangTimeout;

    @Option(names = "--at", paramLabel = "TIME",
            description = "When the snapshot was taken, ISO-8601 (default: the newest file's modification time).")
    Instant at;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "(default: ${DEFAULT-VALUE})")
    OutputFormat format;

    @Override
    public Integer call() throws IOException {
        Optional<String> refused = format.refusedUnless(OutputFormat.TEXT, OutputFormat.JSON);
        if (refused.isPresent()) {
            return PitwallCommand.usageError(spec, refused.get());
        }
        if (!Files.isDirectory(snapshot)) {
            return PitwallCommand.usageError(spec, snapshot + ": no such folder");
        }
        SchedulerSnapshot read;
        try {
            read = SchedulerSnapshot.read(snapshot);
        } catch (IOException e) {
            return PitwallCommand.usageError(spec, e.getMessage());
        }
        Instant taken = at != null ? at : newest(snapshot);
        List<Finding> findings = new SnapshotCheck(gangTimeout).check(read, taken);
        Verdict verdict = findings.stream().map(Finding::verdict).reduce(Verdict.PASS, Verdict::worst);
        PrintWriter out = spec.commandLine().getOut();
        if (format == OutputFormat.JSON) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(
                    java.util.Map.of("verdict", verdict.name(), "taken_at", taken.toString(), "findings", findings)));
        } else {
            out.println("Scheduling snapshot of " + read.nodes().size() + " nodes, " + read.pods().size() + " pods, "
                    + read.podGroups().size() + " PodGroups, " + read.topologies().size() + " Topologies, "
                    + read.hyperNodes().size() + " HyperNodes, taken "
                    + taken + ": " + verdict);
            for (Finding f : findings) {
                out.printf("%-4s %-24s %-32s %s%n", f.verdict(), f.node(), f.check().replace("scheduler.", ""), f.value());
                out.println("     " + f.detail());
            }
        }
        out.flush();
        return verdict == Verdict.FAIL ? CheckCommand.Evaluate.EXIT_FAIL : 0;
    }

    private static Instant newest(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> {
                try {
                    return Files.getLastModifiedTime(p).toInstant();
                } catch (IOException e) {
                    return Instant.EPOCH;
                }
            }).max(Instant::compareTo).orElse(Instant.now());
        }
    }
}
