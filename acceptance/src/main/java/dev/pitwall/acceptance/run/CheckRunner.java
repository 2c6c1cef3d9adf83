package dev.pitwall.acceptance.run;

import dev.pitwall.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Executes a plan: step after step, each on every node at once, every output saved to
 * {@code <results>/<node>/<output>} (standard output and error together), each command stopped
 * at its step's time budget. What ran, how long it took and how it ended is written to
 * {@code <results>/run.json}.
 */
public final class CheckRunner {

    public static final String RECORD = "run.json";
    /** Where a command names the node's partner. */
    public static final String PEER = "{peer}";

    /**
     * The record of a run, as saved beside its outputs.
     *
     * @param deferred nodes the run did not test, each with why (busy with other work, preempted by it):
     *                 not a fault of the node, and nothing to judge
     */
    public record RunRecord(String plan, String runner, List<String> nodes, Instant started, Instant finished,
                            List<StepResult> results, Map<String, String> deferred) {

        public RunRecord {
            deferred = deferred == null ? Map.of() : Map.copyOf(deferred);
        }

        public boolean allOk() {
            return results.stream().allMatch(StepResult::ok);
        }
    }

    private CheckRunner() {
    }

    /**
     * @param progress told of each step on each node as it ends, in the order they end
     */
    public static RunRecord run(CheckPlan plan, List<String> nodes, Path results, Clock clock,
                                Consumer<StepResult> progress) throws IOException, InterruptedException {
        return run(plan, nodes, Map.of(), results, clock, progress);
    }

    /**
     * @param peers each node's partner, put for {@code {peer}} in the commands (a pairwise
     *              bandwidth test); a step naming {@code {peer}} cannot start on a node without one
     */
    public static RunRecord run(CheckPlan plan, List<String> nodes, Map<String, String> peers, Path results,
                                Clock clock, Consumer<StepResult> progress) throws IOException, InterruptedException {
        Instant started = clock.instant();
        for (String node : nodes) {
            Files.createDirectories(results.resolve(node));
        }
        List<StepResult> all = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (CheckPlan.Step step : plan.steps()) {
                List<Future<StepResult>> running = new ArrayList<>();
                for (String node : nodes) {
                    running.add(pool.submit(() -> {
                        StepResult result = runOne(plan, step, node, peers.get(node),
                                results.resolve(node).resolve(step.output()));
                        progress.accept(result);
                        return result;
                    }));
                }
                for (Future<StepResult> future : running) {
                    try {
                        all.add(future.get());
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException("a step could not be run", e.getCause());
                    }
                }
            }
        }
        RunRecord record = new RunRecord(plan.name(), plan.runner(), List.copyOf(nodes), started, clock.instant(), all,
                Map.of());
        save(record, results);
        return record;
    }

    /** Writes a run's record beside its outputs, where {@code check evaluate} reads it. */
    public static void save(RunRecord record, Path results) throws IOException {
        Files.write(results.resolve(RECORD), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
    }

    private static StepResult runOne(CheckPlan plan, CheckPlan.Step step, String node, String peer, Path output)
            throws InterruptedException {
        String command = step.command();
        if (command.contains(PEER)) {
            if (peer == null) {
                return new StepResult(node, step.name(), output.getFileName().toString(), -1, false, 0,
                        "the step names " + PEER + " and " + node + " has no node to pair with");
            }
            command = command.replace(PEER, CheckPlan.quote(peer));
        }
        long start = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder("sh", "-c", plan.commandFor(node, command))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            return new StepResult(node, step.name(), output.getFileName().toString(), -1, false, 0, e.getMessage());
        }
        boolean finished = process.waitFor(step.timeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            // The shell's children (the benchmark itself) first, so none is left running.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new StepResult(node, step.name(), output.getFileName().toString(), finished ? process.exitValue() : -1,
                !finished, seconds, null);
    }
}
