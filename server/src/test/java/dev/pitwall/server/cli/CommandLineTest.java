package dev.pitwall.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.storage.Database;
import dev.pitwall.server.PitwallStore;
import dev.pitwall.server.config.PitwallConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as a first-time user meets it. */
class CommandLineTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Runs the command line as {@code ./pitwall} does: built only as far as the arguments reach. */
    private int run(String... args) {
        CommandLine cli = PitwallCommand.commandLine(args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsEveryCommandWithOneLine() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString())
                .contains("Usage: pitwall")
                .containsPattern("(?m)^\\s+serve\\s+Run Pitwall for production")
                .containsPattern("(?m)^\\s+demo\\s+Run everything on embedded defaults");
    }

    @Test
    void buildsOnlyTheCommandTheArgumentsName() {
        CommandLine detect = PitwallCommand.commandLine("detect", "kern.log");
        assertThat(detect.getSubcommands()).containsOnlyKeys("detect");
        CommandLine scaling = PitwallCommand.commandLine("check", "scaling", "--help");
        assertThat(scaling.getSubcommands()).containsOnlyKeys("check");
        assertThat(scaling.getSubcommands().get("check").getSubcommands()).containsOnlyKeys("scaling");
    }

    @Test
    void aCommandBuiltAloneReadsAsInTheWholeTree() {
        CommandLine whole = PitwallCommand.commandLine();
        for (var command : whole.getSubcommands().entrySet()) {
            CommandLine alone = PitwallCommand.commandLine(command.getKey()).getSubcommands().get(command.getKey());
            assertThat(alone.getUsageMessage()).as(command.getKey()).isEqualTo(command.getValue().getUsageMessage());
            for (var nested : command.getValue().getSubcommands().entrySet()) {
                CommandLine nestedAlone = PitwallCommand.commandLine(command.getKey(), nested.getKey())
                        .getSubcommands().get(command.getKey()).getSubcommands().get(nested.getKey());
                assertThat(nestedAlone.getUsageMessage()).as(command.getKey() + " " + nested.getKey())
                        .isEqualTo(nested.getValue().getUsageMessage());
            }
        }
    }

    @Test
    void aGroupAloneListsEachOfItsCommands() {
        assertThat(run("check")).isZero();
        assertThat(out.toString()).containsPattern("(?m)^\\s+run\\s").containsPattern("(?m)^\\s+scaling\\s")
                .containsPattern("(?m)^\\s+storage\\s");
    }

    @Test
    void helpOnAGroupListsEachOfItsCommands() {
        assertThat(run("help", "check")).isZero();
        assertThat(out.toString()).startsWith("Usage: pitwall check")
                .containsPattern("(?m)^\\s+scaling\\s+Scaling efficiency").containsPattern("under\\s+90%\\s+warns");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void suggestsTheCommandMeantAndExitsTwo() {
        assertThat(run("serv")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument at index 0: 'serv'").contains("Did you mean: pitwall serve?");
    }

    @Test
    void rejectsUnknownOptionsWithExitTwo() {
        assertThat(run("serve", "--confg", "x.yaml")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown options: '--confg'").contains("Possible solutions: --config");
    }

    @Test
    void stopsOnABrokenConfigWithOneLineAndExitTwo() throws Exception {
        Path config = dir.resolve("broken.yaml");
        Files.writeString(config, "server:\n  port: 99999\n");
        assertThat(run("serve", "--config", config.toString())).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo(config + ":2: server.port: found 99999, "
                + "expected a TCP port (0 for any free port) between 0 and 65535");
        assertThat(err.toString().strip().lines()).hasSize(1);
    }

    @Test
    void parsesToolOutputsIntoJson() throws Exception {
        Path log = dir.resolve("node1-all_reduce_perf.log");
        Files.writeString(log, """
                # nThread 1 nGpus 8 minBytes 1048576 maxBytes 2097152 step: 2(factor) warmup iters: 5 iters: 20 validation: 1
                #  Rank  0 Group  0 Pid 7 on node1 device  0 [0x1b] NVIDIA H100 80GB HBM3
                     1048576        262144     float     sum      -1    40.10   26.15   45.76       0    39.90   26.28   45.99       0
                     2097152        524288     float     sum      -1    61.00   34.38   60.16       0    60.50   34.66   60.66       0
                # Out of bounds values : 0 OK
                # Avg bus bandwidth    : 53.14
                """);
        assertThat(run("check", "parse", "--format", "json", log.toString())).isZero();
        var files = dev.pitwall.core.json.Json.mapper().readTree(out.toString());
        assertThat(files).hasSize(1);
        var file = files.get(0);
        assertThat(file.path("tool").asText()).isEqualTo("nccl-tests");
        assertThat(file.path("host").asText()).isEqualTo("node1");
        var first = file.path("measurements").get(0);
        assertThat(first.path("name").asText()).isEqualTo("busbw");
        assertThat(first.path("value").asDouble()).isEqualTo(45.76);
        assertThat(first.path("unit").asText()).isEqualTo("GB/s");
        assertThat(first.path("size_bytes").asLong()).isEqualTo(1048576);
        assertThat(first.path("in_place").asBoolean()).isFalse();
        assertThat(first.path("wrong").asInt()).isZero();
        assertThat(file.path("problems")).isEmpty();

        assertThat(run("check", "parse", dir.resolve("missing.log").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("missing.log: no such file");
    }

    @Test
    void summarizesEachFileByItsKeyFiguresAndRefusesWhatItDoesNotKnow() throws Exception {
        Path burn = dir.resolve("gpu_burn.log");
        Files.writeString(burn, """
                GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1)
                GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-2)
                100.0%  proc'd: 900 (51234 Gflop/s) - 880 (49876 Gflop/s)   errors: 0 - 3   temps: 70 C - 71 C
                Tested 2 GPUs:
                \tGPU 0: OK
                \tGPU 1: FAULTY
                """);
        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "the rack was moved on Tuesday\n");
        assertThat(run("check", "parse", burn.toString(), notes.toString())).as("a file it does not know").isEqualTo(2);
        assertThat(out.toString())
                .containsPattern("gpu-burn.gflops_min\\s+49,876.00 GFLOP/s")
                .containsPattern("gpu_burn_ok\\s+1 passed, 1 failed")
                .containsPattern("error, line 6: gpu-burn found GPU 1 faulty")
                .contains("notes.txt: not recognised as the output of a supported tool")
                .doesNotContain("warning");

        out.getBuffer().setLength(0);
        assertThat(run("check", "parse", burn.toString())).isZero();
    }

    @Test
    void evaluatesAResultsFolderWithExitCodesForScripts() throws Exception {
        for (String node : new String[] {"n1", "n2", "n3"}) {
            Path folder = Files.createDirectories(dir.resolve("results").resolve(node));
            Files.writeString(folder.resolve("gpu_burn.log"), "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-" + node + ")\n"
                    + "100.0%  proc'd: 900 (50000 Gflop/s)   errors: 0   temps: 70 C\nTested 1 GPUs:\n\tGPU 0: "
                    + (node.equals("n3") ? "FAULTY" : "OK") + "\n");
        }
        assertThat(run("check", "evaluate", dir.resolve("results").toString())).isEqualTo(1);
        assertThat(out.toString()).contains(": FAIL (3 tool outputs, 3 nodes)")
                .containsPattern("FAIL n3 tool.gpu-burn: gpu-burn found GPU 0 faulty: GPU 0: FAULTY \\(gpu_burn.log:4\\)");

        Files.writeString(dir.resolve("results").resolve("n3").resolve("gpu_burn.log"),
                "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-n3)\n100.0%  proc'd: 900 (50000 Gflop/s)   errors: 0   temps: 70 C\n"
                        + "Tested 1 GPUs:\n\tGPU 0: OK\n");
        out.getBuffer().setLength(0);
        assertThat(run("check", "evaluate", "--format", "json", dir.resolve("results").toString())).isZero();
        assertThat(dev.pitwall.core.json.Json.mapper().readTree(out.toString()).path("verdict").asText()).isEqualTo("PASS");

        Files.createDirectories(dir.resolve("empty"));
        assertThat(run("check", "evaluate", dir.resolve("empty").toString())).isEqualTo(2);

        // --store keeps the run where the console lists it.
        Path config = Files.writeString(dir.resolve("pitwall.yaml"), "data-dir: " + dir.resolve("data") + "\n");
        assertThat(run("check", "evaluate", "--store", "--config", config.toString(), "--title", "Rack A",
                dir.resolve("results").toString())).isZero();
        assertThat(err.toString()).contains("stored as acceptance run 1 in SQLite");
        // Or into the store of the data directory given.
        assertThat(run("check", "evaluate", "--store", "--data-dir", dir.resolve("other").toString(),
                dir.resolve("results").toString())).isZero();
        assertThat(err.toString()).contains("stored as acceptance run 1 in SQLite " + dir.resolve("other").resolve("pitwall.db"));
        try (var database = dev.pitwall.server.PitwallStore.open(dev.pitwall.server.config.PitwallConfig
                .load(java.util.Optional.of(config), java.util.Map.of()),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            assertThat(new dev.pitwall.acceptance.store.AcceptanceRuns(database, java.time.Clock.systemUTC()).recent(5))
                    .singleElement().satisfies(r -> assertThat(r.name()).isEqualTo("Rack A"));
        }
    }

    @Test
    void runsAPlanOnEveryNodeWithProgress() throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, """
                name: tiny
                runner: "NODE={node} sh -c {command}"
                steps:
                  - name: inventory
                    command: echo "inventory of $NODE"
                    output: inventory.txt
                """);
        Path results = dir.resolve("run1");
        assertThat(run("check", "run", "--plan", plan.toString(), "--results", results.toString(), "--nodes", "a,b"))
                .isZero();
        assertThat(results.resolve("b/inventory.txt")).content().isEqualTo("inventory of b\n");
        assertThat(out.toString()).contains("Running plan tiny (1 steps) on 2 node(s)")
                .containsPattern("\\[##########----------\\] 1/2 [ab] inventory: ok")
                .contains("[####################] 2/2").contains("Next: pitwall check evaluate " + results);
        assertThat(run("check", "run", "--plan", "nope.yaml", "--results", results.toString())).isEqualTo(2);
    }

    @Test
    void detectsFaultsInLogsWithAnExitCodeForScripts() throws Exception {
        Path log = dir.resolve("kern.log");
        Files.writeString(log, "[Mon Mar  3 10:01:02 2025] NVRM: loading NVIDIA UNIX x86_64 Kernel Module 550.54.15\n"
                + "[Mon Mar  3 10:05:40 2025] NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, name=python, GPU has fallen off the bus.\n");
        assertThat(run("detect", log.toString())).isEqualTo(1);
        assertThat(out.toString()).contains(log + ": 1 signal")
                .contains("  2: critical xid {pci=0000:3b:00, xid=79, pid=2311, process=python}: Xid 79: GPU has fallen off the bus");

        Path quiet = dir.resolve("quiet.log");
        Files.writeString(quiet, "all good\n");
        out.getBuffer().setLength(0);
        assertThat(run("detect", "--format", "json", log.toString())).isEqualTo(1);
        assertThat(dev.pitwall.core.json.Json.mapper().readTree(out.toString()).path(log.toString()).get(0).path("line")
                .asInt()).as("the file's line of the signal").isEqualTo(2);
        out.getBuffer().setLength(0);
        assertThat(run("detect", "--format", "json", quiet.toString())).isZero();
        assertThat(dev.pitwall.core.json.Json.mapper().readTree(out.toString()).path(quiet.toString())).isEmpty();
    }

    @Test
    void detectsInStandardInputAndGroupsRepeats() throws Exception {
        StringBuilder log = new StringBuilder("systemd[1]: Started Session 4 of user root.\n");
        for (int i = 0; i < 6; i++) {
            log.append("Aug 17 06:18:0").append(i).append(" vm-0 systemd-networkd[5398]: ib6: lost carrier\n");
        }
        log.append("NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, name=python, GPU has fallen off the bus.\n");
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(log.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(run("detect", "-")).isEqualTo(1);
        } finally {
            System.setIn(stdin);
        }
        assertThat(out.toString()).contains("standard input: 7 signals")
                .contains("  2 to 7 (6 times): warning ib-link-down {device=ib6}")
                .contains("  8: critical xid");
        assertThat(out.toString().lines().filter(l -> l.contains("ib-link-down"))).hasSize(1);
    }

    @Test
    void saysInOneLineThatItsPortIsTakenAndExitsOne() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path config = Files.writeString(dir.resolve("taken.yaml"), "data-dir: " + dir.resolve("data") + "\n"
                    + "server:\n  host: 127.0.0.1\n  port: " + taken.getLocalPort() + "\n");
            assertThat(run("serve", "--config", config.toString())).isEqualTo(1);
            assertThat(err.toString().strip()).isEqualTo("pitwall: cannot start: 127.0.0.1:" + taken.getLocalPort()
                    + " is already in use");
            assertThat(out.toString()).doesNotContain("console");
        }
    }

    @Test
    void takesOneSetOfFormatsEverywhereAndSaysWhichACommandWrites() throws Exception {
        Path quiet = Files.writeString(dir.resolve("quiet.log"), "all good\n");
        assertThat(run("detect", "--format", "md", quiet.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--format md is not written by this command; use text or json");
        err.getBuffer().setLength(0);
        assertThat(run("plan", "estimate", "--model", "llama-3-8b", "--gpus", "8", "--format", "xml")).isEqualTo(2);
        assertThat(err.toString()).contains("--format").contains("xml");
        out.getBuffer().setLength(0);
        assertThat(run("plan", "estimate", "--model", "llama-3-8b", "--gpus", "8", "--format", "MD")).isZero();
        assertThat(out.toString()).startsWith("# ");
    }

    @Test
    void estimatesATrainingRun(@TempDir Path dir) throws Exception {
        assertThat(run("plan", "estimate", "--model", "llama-3-8b", "--gpus", "8", "--zero", "0", "--recompute", "none",
                "--seq-len", "8192", "--tokens", "2T", "--mfu", "0.4", "--format", "json")).isZero();
        var estimate = dev.pitwall.core.json.Json.mapper().readTree(out.toString());
        assertThat(estimate.path("params_total").asLong()).isEqualTo(8_030_261_248L);
        assertThat(estimate.path("fits").asBoolean()).isFalse();
        assertThat(estimate.path("to_fit").asText()).isEqualTo("ZeRO stage 2");
        assertThat(estimate.path("flops_total").asDouble()).isEqualTo(estimate.path("flops_per_token").asDouble() * 2e12);
        var memory = estimate.path("memory_per_gpu_bytes");
        assertThat(memory.path("total").asDouble()).isCloseTo(memory.path("weights").asDouble()
                + memory.path("gradients").asDouble() + memory.path("optimizer_states").asDouble()
                + memory.path("activations").asDouble() + memory.path("logits").asDouble()
                + memory.path("runtime_and_buffers").asDouble(), org.assertj.core.api.Assertions.within(1.0));
        assertThat(estimate.path("gpu_hours").asDouble()).isCloseTo(estimate.path("total_time_s").asDouble() / 3600 * 8,
                org.assertj.core.api.Assertions.within(1e-6));
        assertThat(estimate.path("step_time_s").asDouble()).isPositive();

        out.getBuffer().setLength(0);
        assertThat(run("plan", "estimate", "--model", "llama-3-70b", "--tp", "8", "--pp", "2", "--dp", "32")).isZero();
        assertThat(out.toString()).startsWith("llama-3-70b on 512 x h100-sxm")
                .contains("TP 8, PP 2, DP 32").containsPattern("fits +yes").contains("pipeline   send/recv");

        // GPUs alone: the search's best layout, said to be so, instead of DP 2048 that cannot split the batch.
        out.getBuffer().setLength(0);
        assertThat(run("plan", "estimate", "--model", "llama-3-8b", "--gpus", "2048", "--price-per-gpu-hour", "2.5",
                "--currency", "eur")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("no layout was given, so this is the best of the")
                .containsPattern("fits +yes").containsPattern("cost +[0-9]{1,3}(,[0-9]{3})+ EUR")
                .containsPattern("GPU-hours +[0-9]{1,3}(,[0-9]{3})+");

        // A spec file gives the inputs; options override it.
        Path spec = dir.resolve("plan.yaml");
        Files.writeString(spec, """
                architecture: {name: tiny, layers: 4, hidden: 512, ffn: 2048, heads: 8, vocab: 1000}
                seq-len: 1024
                global-batch: 64
                gpu: a100-80gb
                """);
        out.getBuffer().setLength(0);
        assertThat(run("plan", "estimate", "--spec", spec.toString(), "--gpus", "2", "--format", "md")).isZero();
        assertThat(out.toString()).startsWith("# tiny on 2 x a100-80gb").contains("| layout | TP 1, PP 1, DP 2");
        Files.writeString(spec, "model: llama-3-8b\nseq-len: long\n");
        assertThat(run("plan", "estimate", "--spec", spec.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(spec + ":2: seq-len");

        assertThat(run("plan", "estimate", "--model", "llama9")).isEqualTo(2);
        assertThat(err.toString()).contains("no model preset llama9; presets: gpt3-125m");
        assertThat(run("plan", "estimate", "--model", "llama-3-8b", "--gpus", "12", "--tp", "8")).isEqualTo(2);
        assertThat(err.toString()).contains("12 GPUs do not divide into TP 8 x PP 1");
        assertThat(run("plan", "estimate", "--model", "llama-3-8b", "--tokens", "lots")).isEqualTo(2);
        assertThat(err.toString()).contains("\"lots\" is not a count");
    }

    @Test
    void searchesParallelLayouts() throws Exception {
        assertThat(run("plan", "search", "--model", "llama-3-70b", "--gpus", "64", "--seq-len", "8192",
                "--global-batch", "512", "--top", "3", "--format", "json")).isZero();
        var result = dev.pitwall.core.json.Json.mapper().readTree(out.toString());
        assertThat(result.path("best")).hasSize(3);
        assertThat(result.path("best").get(0).path("estimate").path("fits").asBoolean()).isTrue();
        assertThat(result.path("best").get(0).path("tokens_per_s").asDouble())
                .isGreaterThanOrEqualTo(result.path("best").get(2).path("tokens_per_s").asDouble());

        assertThat(run("plan", "search", "--model", "llama-3.1-405b", "--gpus", "8", "--gpu", "a100-40gb")).isEqualTo(1);
        assertThat(out.toString()).contains("Nothing fits");
    }

    @Test
    void comparesTwoRunsAndAnalysesAProfile(@TempDir Path dir) throws Exception {
        StringBuilder same = new StringBuilder("step,loss\n");
        StringBuilder drifted = new StringBuilder("step,loss\n");
        for (int step = 1; step <= 100; step++) {
            double loss = 2 + 8.0 / step;
            same.append(step).append(',').append(loss).append('\n');
            drifted.append(step).append(',').append(step < 60 ? loss : loss * 1.1).append('\n');
        }
        Path a = Files.writeString(dir.resolve("a.csv"), same);
        Path b = Files.writeString(dir.resolve("b.csv"), drifted);
        assertThat(run("plan", "compare", a.toString(), a.toString())).isZero();
        assertThat(out.toString()).containsPattern("verdict +equivalent within 2.0% over 100 aligned steps");
        out.getBuffer().setLength(0);
        assertThat(run("plan", "compare", a.toString(), b.toString(), "--format", "html")).isEqualTo(1);
        assertThat(out.toString()).contains("diverges from step 6").contains("<polyline").contains("class=\"marker\"");
        assertThat(run("plan", "compare", a.toString(), dir.resolve("none.csv").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("none.csv");

        Path trace = Files.writeString(dir.resolve("trace.json"), """
                {"traceEvents": [
                  {"ph": "X", "cat": "kernel", "name": "sm90_gemm", "pid": 0, "tid": 7, "ts": 0, "dur": 900},
                  {"ph": "X", "cat": "kernel", "name": "ncclKernel_AllReduce", "pid": 0, "tid": 8, "ts": 900, "dur": 100}
                ]}""");
        out.getBuffer().setLength(0);
        assertThat(run("plan", "profile", trace.toString(), "--format", "json")).isZero();
        var profile = dev.pitwall.core.json.Json.mapper().readTree(out.toString());
        assertThat(profile.path("breakdown").path("computation_pct").asDouble()).isEqualTo(90.0);
        assertThat(profile.path("breakdown").path("communication_pct").asDouble()).isEqualTo(10.0);
        assertThat(profile.path("bottleneck").asText()).isEqualTo("compute-bound");
        assertThat(run("plan", "profile", dir.resolve("a.csv").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("a.csv: broken JSON");
    }

    @Test
    void reportsOnRecordedIncidents(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Path config = Files.writeString(dir.resolve("pitwall.yaml"), "data-dir: " + data + "\n");
        try (dev.pitwall.server.Pitwall pitwall = dev.pitwall.server.Pitwall.start(
                dev.pitwall.server.config.PitwallConfig.load(java.util.Optional.of(config), java.util.Map.of())
                        .withServer(dev.pitwall.server.config.ServerConfig.defaults().withPort(0)), java.time.Clock.systemUTC())) {
            String line = "{\"node\":\"gpu-a07\",\"time\":\"" + java.time.Instant.now().minusSeconds(30)
                    + "\",\"line\":\"NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=python, GPU has fallen off the bus.\"}";
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "http://127.0.0.1:" + pitwall.port() + "/api/ingest/logs")).POST(java.net.http.HttpRequest.BodyPublishers
                    .ofString(line)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        }
        assertThat(run("incidents", "report", "--config", config.toString(), "--since", "1d", "--nodes", "8",
                "--format", "json")).isZero();
        var report = dev.pitwall.core.json.Json.mapper().readTree(out.toString());
        assertThat(report.path("failures").asInt()).isEqualTo(1);
        assertThat(report.path("nodes").asInt()).isEqualTo(8);
        assertThat(report.path("failures_per_1000_node_days").asDouble()).isCloseTo(125.0, org.assertj.core.api.Assertions.within(0.01));
        assertThat(report.path("failure_modes").get(0).path("mode").asText()).isEqualTo("gpu");
        assertThat(report.path("time_to_detect").path("count").asInt()).isEqualTo(1);

        // Without --nodes, the node-time observed counts: a few seconds of reports give no failure rate.
        out.getBuffer().setLength(0);
        assertThat(run("incidents", "report", "--config", config.toString(), "--since", "1d")).isZero();
        assertThat(out.toString()).contains("MTBF, cluster").contains("not enough data (")
                .doesNotContain("24.0 h");

        out.getBuffer().setLength(0);
        assertThat(run("incidents", "report", "--config", config.toString(), "--id", "1", "--format", "md")).isZero();
        assertThat(out.toString()).startsWith("# Incident 1: Xid 79: GPU has fallen off the bus")
                .contains("| suspected node | gpu-a07 |").contains("## Timeline").contains("| xid | gpu-a07 | CRITICAL |");
        assertThat(run("incidents", "report", "--config", config.toString(), "--id", "9")).isEqualTo(2);
        assertThat(err.toString()).contains("no incident 9");
        assertThat(run("incidents", "report", "--config", config.toString(), "--since", "last week")).isEqualTo(2);
        assertThat(err.toString()).contains("neither an age (30d, 12h, 90m) nor a date");

        // It says which store it read, and reading never creates one where there is none.
        err.getBuffer().setLength(0);
        assertThat(run("incidents", "report", "--data-dir", data.toString())).isZero();
        assertThat(err.toString()).contains("reading SQLite " + data.resolve("pitwall.db"));
        Path nowhere = dir.resolve("no-store-here");
        assertThat(run("incidents", "report", "--data-dir", nowhere.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no Pitwall store at " + nowhere.toAbsolutePath().resolve("pitwall.db"));
        assertThat(nowhere).doesNotExist();

        // Ages as the configuration writes durations.
        assertThat(run("incidents", "report", "--data-dir", data.toString(), "--since", "90m")).isZero();
    }

    @Test
    void takesDurationsAsTheConfigurationWritesThem() {
        assertThat(run("agent", "--server", "http://127.0.0.1:1", "--interval", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("--interval").contains("expected a duration such as 500ms, 10s, 5m or 1h");
        String[] args = {"agent", "--server", "http://127.0.0.1:1", "--interval", "5m"};
        CommandLine.ParseResult parsed = PitwallCommand.commandLine(args).parseArgs(args);
        assertThat(((AgentCommand) parsed.subcommand().commandSpec().userObject()).interval)
                .isEqualTo(java.time.Duration.ofMinutes(5));
    }

    @Test
    void checksASoftwareStackAgainstAGpu() {
        assertThat(run("plan", "compat", "--gpu", "NVIDIA A100-SXM4-80GB", "--precision", "fp8", "--driver", "535.104.05",
                "--cuda", "12.2", "--torch", "2.3.1")).isEqualTo(1);
        assertThat(out.toString())
                .containsPattern("FAIL +precision fp8 +a100-80gb is sm_80 +sm_89 or newer +train in bf16")
                .containsPattern("ok +driver for CUDA 12.2")
                .containsPattern("FAIL +PyTorch 2.3 build for CUDA 12.2");
        out.getBuffer().setLength(0);
        assertThat(run("plan", "compat", "--gpu", "h100-sxm", "--precision", "fp8", "--driver", "550.54.15",
                "--cuda", "12.4", "--torch", "2.5.1")).isZero();
    }

    @Test
    void printsItsVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("pitwall ");
    }

    @Test
    void checkMonitoringPassesACompleteClusterAndFailsOneWithoutSmActivityNamingTheLineThatTurnsItOn()
            throws Exception {
        Path complete = Path.of("..", "acceptance", "src", "test", "resources", "monitoring", "complete");
        assertThat(run("check", "monitoring", "--scrape", complete.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Monitoring of 2 nodes (gpu-a01, gpu-a02): PASS").contains("34 of 34");

        Path lacking = dir.resolve("lacking");
        for (String node : List.of("gpu-a01", "gpu-a02", "cluster")) {
            Files.createDirectories(lacking.resolve(node));
            try (var files = Files.list(complete.resolve(node))) {
                for (Path f : files.toList()) {
                    Files.write(lacking.resolve(node).resolve(f.getFileName()), Files.readAllLines(f).stream()
                            .filter(l -> !l.contains("DCGM_FI_PROF_SM_ACTIVE")).toList());
                }
            }
        }
        out.getBuffer().setLength(0);
        assertThat(run("check", "monitoring", "--scrape", lacking.toString(), "--store", "--data-dir",
                dir.resolve("data").toString())).isEqualTo(1);
        assertThat(out.toString()).contains("FAIL").contains("DCGM_FI_PROF_SM_ACTIVE, gauge, The ratio of cycles");
        assertThat(err.toString()).contains("stored as acceptance run 1");
        try (Database database = PitwallStore.open(PitwallConfig.load(Optional.empty(), Map.of())
                .withDataDir(dir.resolve("data")), new SimpleMeterRegistry())) {
            AcceptanceRuns.Summary stored = new AcceptanceRuns(database, Clock.systemUTC()).recent(1).getFirst();
            assertThat(stored.name()).isEqualTo("Monitoring check: lacking");
            assertThat(stored.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(stored.findings()).isPositive();
        }

        assertThat(run("check", "monitoring", "--scrape", dir.resolve("nowhere").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no such folder");
    }

    @Test
    void planScheduleComparesEveryPolicyOnASyntheticTraceAndRefusesWhatItCannotRun() throws Exception {
        Path cluster = Files.writeString(dir.resolve("cluster.yaml"), "nodes: 16\ngpus-per-node: 8\n");
        assertThat(run("plan", "schedule", "--cluster", cluster.toString(), "--synthetic", "300", "--load", "1.2"))
                .as(err.toString()).isZero();
        for (String policy : List.of("fifo", "sjf", "drf", "fair-share", "gang", "topology-bestfit",
                "topology-balanced")) {
            assertThat(out.toString()).containsPattern("(?m)^" + policy + " +[0-9.]+ h");
        }
        Path nodeList = Files.writeString(dir.resolve("openb_node_list_gpu_node.csv"),
                "sn,cpu_milli,memory_mib,num_gpu,model\nn1,96000,786432,8,V100M32\nn2,96000,786432,8,V100M32\n"
                        + "n3,96000,393216,2,P100\n");
        out.getBuffer().setLength(0);
        assertThat(run("plan", "schedule", "--cluster", nodeList.toString(), "--synthetic", "50", "--policy", "fifo"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("50 jobs on 2 nodes of 8 GPUs (16 GPUs)")
                .contains("cluster: left out 1 with 2 GPUs");
        assertThat(run("plan", "schedule", "--cluster", cluster.toString(), "--synthetic", "10", "--policy", "lottery"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("no policy lottery");
        assertThat(run("plan", "schedule", "--cluster", cluster.toString())).isEqualTo(2);
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "nodes: 16\ngpus_per_node: 8\n");
        assertThat(run("plan", "schedule", "--cluster", broken.toString(), "--synthetic", "10")).isEqualTo(2);
        assertThat(err.toString()).contains("gpus_per_node");
    }

    @Test
    void checkSchedulerFindsAGangThatCanNeverFitInASnapshot() throws Exception {
        Path snapshot = Files.createDirectories(dir.resolve("snapshot"));
        Files.writeString(snapshot.resolve("nodes.json"), """
                {"kind":"List","items":[{"kind":"Node","metadata":{"name":"gpu-a01"},
                  "status":{"allocatable":{"nvidia.com/gpu":"8"}}}]}""");
        Files.writeString(snapshot.resolve("podgroups.json"), """
                {"kind":"List","items":[{"kind":"PodGroup","metadata":{"name":"big","namespace":"train"},
                  "spec":{"minMember":2}}]}""");
        Files.writeString(snapshot.resolve("pods.json"), """
                {"kind":"List","items":[
                 {"kind":"Pod","metadata":{"name":"big-0","namespace":"train",
                   "annotations":{"scheduling.k8s.io/group-name":"big"}},
                  "spec":{"containers":[{"name":"m","resources":{"limits":{"nvidia.com/gpu":"8"}}}]},
                  "status":{"phase":"Pending"}}]}""");
        assertThat(run("check", "scheduler", "--snapshot", snapshot.toString(), "--at", "2026-12-01T12:00:00Z"))
                .as(err.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("FAIL").contains("gang_never_fits").contains("2 × 8 GPUs = 16");
        assertThat(run("check", "scheduler", "--snapshot", dir.resolve("nowhere").toString())).isEqualTo(2);
    }
}
