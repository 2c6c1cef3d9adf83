package dev.pitwall.server.cli;

import dev.pitwall.acceptance.campaign.CampaignPlan;
import dev.pitwall.acceptance.campaign.CampaignRunner;
import dev.pitwall.acceptance.campaign.CampaignService;
import dev.pitwall.acceptance.campaign.CampaignStatus;
import dev.pitwall.acceptance.campaign.CampaignStore;
import dev.pitwall.acceptance.monitoring.MonitoringCatalog;
import dev.pitwall.acceptance.monitoring.MonitoringCheck;
import dev.pitwall.acceptance.monitoring.Scrapes;
import dev.pitwall.acceptance.scheduler.SchedulerSnapshot;
import dev.pitwall.acceptance.scheduler.SnapshotCheck;
import dev.pitwall.acceptance.store.AcceptanceService;
import dev.pitwall.acceptance.store.RunKind;
import dev.pitwall.acceptance.verdict.Baseline;
import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.ResultsEvaluator;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.auth.ApiKeys;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.prompt.PromptRegistry;
import dev.pitwall.gateway.prompt.Rollout;
import dev.pitwall.gateway.slo.SliKind;
import dev.pitwall.gateway.slo.SloSpec;
import dev.pitwall.server.BuildInfo;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.sim.cluster.AcceptanceOutputs;
import dev.pitwall.sim.cluster.BurnInCluster;
import dev.pitwall.sim.cluster.ClusterViews;
import dev.pitwall.sim.cluster.TrainingCluster;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.SimEngine;
import dev.pitwall.trainops.agent.NodeAgent;
import dev.pitwall.trainops.drill.DrillResult;
import dev.pitwall.trainops.drill.DrillService;
import dev.pitwall.trainops.drill.FaultDrill;
import dev.pitwall.trainops.telemetry.TelemetryConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo",
        description = "Run everything on embedded defaults (SQLite, loopback) to look around.",
        mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {

    /** The alias the demo's clients use for the simulated engines' model. */
    static final String DEMO_MODEL = "llama3-8b";
    static final String DEMO_TENANT = "demo";
    static final String DEMO_KEY_FILE = "demo.key";
    /** The simulated cluster's seed: its first fault is an HBM3 ECC error, so the first incident names a node. */
    static final long CLUSTER_SEED = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port of the console and APIs (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "pitwall-data",
            description = "Where the demo keeps its database and logs (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    /** Two objectives on the Serving page (unless the config sets its own): availability and time to first token. */
    private static GatewayConfig withDemoObjectives(GatewayConfig gateway) {
        if (!gateway.slos().isEmpty()) {
            return gateway;
        }
        return gateway.withSlos(List.of(
                new SloSpec("chat-availability", SliKind.AVAILABILITY, 99.9, Duration.ofDays(30), null, "", ""),
                new SloSpec("chat-ttft", SliKind.TTFT, 99.0, Duration.ofDays(30), Duration.ofSeconds(2), "", "")));
    }

    @Override
    public Integer call() {
        // The demo ignores pitwall.yaml and PITWALL_* on purpose: it must look the same everywhere.
        PitwallConfig defaults = PitwallConfig.defaults();
        PitwallConfig config;
        try {
            config = defaults.withDataDir(dataDir).withServer(defaults.server().withPort(port));
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("pitwall demo: " + e.getMessage());
            return PitwallCommand.EXIT_USAGE;
        }
        // Two simulated vLLM engines on loopback, one per GPU generation, behind the gateway.
        List<SimEngine> engines = new ArrayList<>();
        List<BackendConfig> backends = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long seed = 1;
        for (String profileName : List.of("h100-llama3-8b", "a100-llama3-8b")) {
            EngineProfile profile = EngineProfile.load(profileName);
            SimEngine engine = SimEngine.start(profile, seed++, "127.0.0.1", 0);
            engines.add(engine);
            String name = "sim-" + profileName.substring(0, profileName.indexOf('-'));
            backends.add(BackendConfig.of(name, engine.baseUrl().toString(), BackendKind.VLLM,
                    List.of(profile.model(), profile.embeddingModel()), Map.of(DEMO_MODEL, profile.model())));
            notes.add("  engine   " + name + " (simulated vLLM, " + profileName + ") at " + engine.baseUrl());
        }
        // A simulated 8-node training cluster whose faults come at compressed rates in published proportions;
        // the server scrapes its GPU metrics, node agents ship its logs.
        Path clusterDir = dataDir.resolve("sim-cluster");
        TrainingCluster cluster;
        try {
            cluster = TrainingCluster.start(clusterDir, 8, CLUSTER_SEED, Duration.ofSeconds(2), Duration.ofSeconds(20),
                    Duration.ofMinutes(3));
        } catch (IOException e) {
            Runner.closeAll(engines);
            spec.commandLine().getErr().println("pitwall demo: the simulated cluster cannot write to " + clusterDir + ": "
                    + e.getMessage());
            return PitwallCommand.EXIT_FAILED;
        }
        List<AutoCloseable> companions = new ArrayList<>(engines);
        companions.add(cluster);
        return Runner.runUntilStopped("Pitwall " + BuildInfo.current().version() + " demo (embedded defaults)",
                config.withGateway(withDemoObjectives(config.gateway().withBackends(backends))).withTelemetry(new TelemetryConfig(
                        List.of(cluster.metricsUri().toString()), Duration.ofSeconds(15))), companions, pitwall -> {
                    notes.add("  accept   " + demoAcceptance(pitwall, dataDir.resolve("acceptance-demo")));
                    notes.addAll(demoIntegrationChecks(pitwall, cluster, clusterDir));
                    notes.add("  campaign " + demoCampaign(pitwall, dataDir.resolve("campaign-demo")));
                    try {
                        companions.add(new ClusterShippers(cluster, URI.create("http://127.0.0.1:" + pitwall.port()),
                                clusterDir));
                    } catch (IOException e) {
                        throw new UncheckedIOException("the demo's node agents cannot spool under " + clusterDir, e);
                    }
                    notes.add("  cluster  8 simulated nodes (gpu-c01..gpu-c08) training in " + clusterDir + "; a fault every "
                            + "3 min (the first in 20 s), incidents at http://127.0.0.1:" + pitwall.port() + "/training");
                    notes.add("  drill    kill-rank in 90 s, its report then on the Reports page; another: pitwall drill "
                            + "run --scenario hang-rank --server http://127.0.0.1:" + pitwall.port() + " --inject-url "
                            + cluster.drillUri(TrainingCluster.Drill.HANG_RANK)
                            + " --detect-within 1m --recover-within 2m (or nic-down, node-not-ready, disk-full)");
                    companions.add(demoDrill(pitwall, cluster, spec.commandLine().getOut()));
                    Path keyFile = dataDir.resolve(DEMO_KEY_FILE);
                    String key = demoKey(pitwall.gateway().apiKeys(), keyFile);
                    String base = "http://127.0.0.1:" + pitwall.port();
                    notes.add("  tenant   demo, API key in " + keyFile + ": " + key);
                    notes.add("  prompt   " + demoPrompt(pitwall.gateway().prompts()));
                    notes.add("Try the gateway:");
                    notes.add("  curl -N " + base + "/v1/chat/completions -H \"Authorization: Bearer $(cat " + keyFile + ")\" \\");
                    notes.add("    -H 'Content-Type: application/json' -d '{\"model\":\"" + DEMO_MODEL
                            + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'");
                    return notes;
                }, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * A simulated acceptance run of eight nodes (one slow in NCCL, one with a faulty GPU, one on
     * another driver): outputs written in the tools' formats, judged, stored unless a restart finds it
     * stored already. Returns where to read it.
     */
    static String demoAcceptance(Pitwall pitwall, Path results) {
        try {
            AcceptanceOutputs.write(results, AcceptanceOutputs.demoCluster(), 7);
            Baseline profile = Baseline.load("h100-sxm-8x");
            Evaluation evaluation = ResultsEvaluator.evaluate(results, Optional.of(profile));
            // The same outputs at every start: stored once, not once per restart.
            long id = pitwall.acceptanceRuns().saveUnlessStored("Simulated 8-node acceptance (demo)", profile.name(),
                    evaluation);
            return evaluation.verdict() + " for the simulated cluster in " + results + ": http://127.0.0.1:"
                    + pitwall.port() + AcceptanceService.PATH + "/" + id + "/report";
        } catch (IOException e) {
            throw new UncheckedIOException("the demo's acceptance run cannot be written to " + results, e);
        }
    }

    private static final String DEMO_CAMPAIGN = "Simulated 16-node burn-in (demo)";

    /**
     * A simulated burn-in of sixteen nodes over twelve hours of simulated time, ended before now (two with faults of
     * the Llama 3 mix, two drifting), run once: a restart finds it stored and shows it again.
     * Returns where to read it.
     */
    /**
     * When the demo's drill runs: after the cluster's first fault (at 20 s) and its incident's first
     * minute, inside which a new fault's lines would join that incident, and before its next (3 min on).
     */
    static final Duration DRILL_AFTER = Duration.ofSeconds(90);

    /**
     * Runs a kill-rank drill on the simulated cluster once the demo has settled, end to end through
     * the server's API as {@code pitwall drill run} does, keeps its result for the Reports page and
     * says how it went; closing stops it.
     */
    static AutoCloseable demoDrill(Pitwall pitwall, TrainingCluster cluster, PrintWriter out) {
        URI server = URI.create("http://127.0.0.1:" + pitwall.port());
        String scenario = TrainingCluster.Drill.KILL_RANK.scenario;
        Thread drill = Thread.ofVirtual().name("demo-drill").start(() -> {
            try {
                Thread.sleep(DRILL_AFTER.toMillis());
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                FaultDrill.Report report = new FaultDrill(new FaultDrill.Settings(scenario, server, Duration.ofMinutes(1),
                        Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofSeconds(1),
                        FaultDrill.RULES.get(scenario)), http, Clock.systemUTC())
                        .run(() -> DrillCommand.Run.post(http, cluster.drillUri(TrainingCluster.Drill.KILL_RANK)));
                DrillResult result = DrillResult.of(report);
                long id = pitwall.trainOps().drills().save(result);
                out.println(String.format(Locale.ROOT, "  drill    %s %s, detected in %s, recovered in %s: %s", scenario,
                        result.verdict(), shown(result.timeToDetectSeconds()), shown(result.timeToRecoverSeconds()),
                        server.resolve(DrillService.PATH + "/" + id + "/report")));
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                out.println("  drill    " + scenario + " could not run: " + e.getMessage());
            }
            out.flush();
        });
        return drill::interrupt;
    }

    private static String shown(Double seconds) {
        return seconds == null ? "—" : String.format(Locale.ROOT, "%.1f s", seconds);
    }

    static String demoCampaign(Pitwall pitwall, Path folder) {
        CampaignStore store = new CampaignStore(pitwall.database());
        try {
            long id = store.recent(100).stream().filter(c -> c.name().equals(DEMO_CAMPAIGN) && c.finished())
                    .map(CampaignStore.Started::id).findFirst().orElse(-1L);
            if (id < 0) {
                BurnInCluster cluster = BurnInCluster.create(16, 2, CLUSTER_SEED);
                SimulatedBurnIn.Time time = new SimulatedBurnIn.Time(Instant.now().minus(Duration.ofHours(14)));
                CampaignRunner runner = new CampaignRunner(store, new SimulatedBurnIn(cluster, time), time,
                        CampaignRunner.Progress.NONE);
                id = runner.start(DEMO_CAMPAIGN, CampaignPlan.load("burn-in"), cluster.nodes(), Duration.ofHours(12),
                        Optional.of(Baseline.load("h100-sxm-8x")), folder);
                runner.run(id);
            }
            CampaignStatus status = CampaignStatus.of(store, id);
            return status.verdict() + ", " + status.failedNodes().size() + " of " + status.nodes().size()
                    + " nodes failed after " + status.rounds() + " rounds: http://127.0.0.1:" + pitwall.port()
                    + CampaignService.PATH + "/" + id + "/report";
        } catch (IOException e) {
            throw new UncheckedIOException("the demo's campaign cannot be written to " + folder, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not run: the demo was stopped";
        }
    }

    /**
     * The simulated cluster's monitoring and scheduling, checked as an operator would check a real
     * one: a round of its exporters' outputs through the monitoring check (its dcgm-exporter keeps
     * the default counters, so SM activity and the other fields training needs are missing) and a
     * kubectl snapshot through the scheduler check, each stored as an acceptance run unless a
     * restart finds it stored already. Returns the notes saying where to look and what to run.
     */
    static List<String> demoIntegrationChecks(Pitwall pitwall, TrainingCluster cluster, Path clusterDir) {
        Path scrapes = clusterDir.resolve("monitoring");
        Path snapshot = clusterDir.resolve("snapshot");
        try {
            ClusterViews.writeScrapes(cluster, scrapes);
            Instant now = Instant.now();
            ClusterViews.writeSchedulerSnapshot(cluster, snapshot, now.minus(Duration.ofHours(6)));
            Scrapes scraped = Scrapes.read(scrapes);
            MonitoringCheck.Result monitoring = new MonitoringCheck(MonitoringCatalog.builtIn(), Duration.ofSeconds(15))
                    .check(List.of(scraped));
            SchedulerSnapshot kubectl = SchedulerSnapshot.read(snapshot);
            List<Finding> scheduling = new SnapshotCheck(Duration.ofMinutes(5)).check(kubectl, now);
            Evaluation monitored = Evaluation.ofFindings(monitoring.nodes(), monitoring.findings(), scraped.files().size());
            Evaluation scheduled = Evaluation.ofFindings(kubectl.nodeNames(), scheduling, kubectl.objects());
            pitwall.acceptanceRuns().saveUnlessStored(RunKind.MONITORING.named("simulated cluster (demo)"), null, monitored);
            pitwall.acceptanceRuns().saveUnlessStored(RunKind.SCHEDULER.named("simulated cluster (demo)"), null, scheduled);
            return List.of(
                    "  monitor  " + monitored.verdict() + ", " + monitoring.findings().size() + " findings (its dcgm-exporter "
                            + "keeps the default counters): pitwall check monitoring --scrape " + scrapes,
                    "  schedule " + scheduled.verdict() + ": pitwall check scheduler --snapshot " + snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException("the demo's monitoring and scheduler views cannot be written to "
                    + clusterDir, e);
        }
    }

    /**
     * Ships the simulated cluster's logs the way production nodes do: one node agent per node,
     * following its kernel and job logs, spooling under the node's folder, stepped every second.
     */
    static final class ClusterShippers implements AutoCloseable {

        private final List<NodeAgent> agents = new ArrayList<>();
        private final Thread loop;

        ClusterShippers(TrainingCluster cluster, URI server, Path dir) throws IOException {
            for (String node : cluster.nodes()) {
                agents.add(new NodeAgent(new NodeAgent.Settings(server, node, cluster.kernelLog(node).toString(),
                        List.of(cluster.jobLog(node).toString()), dir.resolve(node).resolve("spool"), null, null), Clock.systemUTC()));
            }
            loop = Thread.ofVirtual().name("demo-agents").start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        for (NodeAgent agent : agents) {
                            agent.step();
                        }
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    } catch (IOException e) {
                        // the spool keeps what was not sent; the next round tries again
                    }
                }
            });
        }

        @Override
        public void close() {
            loop.interrupt();
            Runner.closeAll(agents);
        }
    }

    /**
     * A prompt with two versions, production on the first and a 10 % canary on the second, so that
     * prompt headers and figures show something at once; kept as it is when a restart finds it.
     */
    static String demoPrompt(PromptRegistry prompts) {
        String name = "support-triage";
        if (!prompts.exists(name)) {
            String version = """
                    {"messages":[{"role":"system","content":"You triage {{product}} tickets for a GPU cluster. %s"}],
                     "variables":{"product":{"type":"enum","values":["gpu","storage","network"],"default":"gpu"}}}""";
            prompts.createVersion(name, Json.object(version.formatted("Answer in one line.")).orElseThrow(), "pitwall demo");
            prompts.createVersion(name, Json.object(version.formatted("Name the likely cause, then the next step."))
                    .orElseThrow(), "pitwall demo");
            prompts.moveLabel(name, "production", 1, "pitwall demo", "the demo's first release");
            prompts.moveLabel(name, "canary", 2, "pitwall demo", "the demo's canary");
            prompts.setRollout(name, Rollout.parse(name, Json.object(
                    "{\"split\":{\"production\":90,\"canary\":10},\"stickiness\":\"user\"}").orElseThrow()),
                    "pitwall demo");
        }
        return name + ": version 1 in production, version 2 on a 10 % canary; ask with "
                + "\"prompt\":{\"name\":\"" + name + "\"} and see X-Pitwall-Prompt";
    }

    /** The demo tenant's key: the one in {@code keyFile} while it is still valid, else a new one written there. */
    static String demoKey(ApiKeys keys, Path keyFile) {
        try {
            if (Files.exists(keyFile)) {
                String existing = Files.readString(keyFile).strip();
                if (keys.tenantOf(existing).filter(DEMO_TENANT::equals).isPresent()) {
                    return existing;
                }
            }
            String secret = keys.create(DEMO_TENANT, "pitwall demo").secret();
            Files.writeString(keyFile, secret + "\n");
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("the demo key cannot be written to " + keyFile, e);
        }
    }
}
