package dev.pitwall.server.cli;

import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.auth.ApiKeys;
import dev.pitwall.server.BuildInfo;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.sim.cluster.AcceptanceOutputs;
import dev.pitwall.trainops.check.store.AcceptanceService;
import dev.pitwall.trainops.check.verdict.Baseline;
import dev.pitwall.trainops.check.verdict.Evaluation;
import dev.pitwall.trainops.check.verdict.ResultsEvaluator;
import dev.pitwall.trainops.incident.IncidentService;
import dev.pitwall.trainops.ingest.IngestService;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.SimEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port of the console and APIs (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "pitwall-data",
            description = "Where the demo keeps its database and logs (default: ${DEFAULT-VALUE}).")
    Path dataDir;

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
                    List.of(profile.model()), Map.of(DEMO_MODEL, profile.model())));
            notes.add("  engine   " + name + " (simulated vLLM, " + profileName + ") at " + engine.baseUrl());
        }
        return Runner.runUntilStopped("Pitwall " + BuildInfo.current().version() + " demo (embedded defaults)",
                config.withGateway(config.gateway().withBackends(backends)), engines, pitwall -> {
                    notes.add("  accept   " + demoAcceptance(pitwall, dataDir.resolve("acceptance-demo")));
                    notes.add("  incident " + demoIncident(pitwall));
                    Path keyFile = dataDir.resolve(DEMO_KEY_FILE);
                    String key = demoKey(pitwall.gateway().apiKeys(), keyFile);
                    String base = "http://127.0.0.1:" + pitwall.port();
                    notes.add("  tenant   demo, API key in " + keyFile + ": " + key);
                    notes.add("Try the gateway:");
                    notes.add("  curl -N " + base + "/v1/chat/completions -H \"Authorization: Bearer $(cat " + keyFile + ")\" \\");
                    notes.add("    -H 'Content-Type: application/json' -d '{\"model\":\"" + DEMO_MODEL
                            + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'");
                    return notes;
                }, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * A simulated acceptance run of eight nodes (one slow in NCCL, one with a faulty GPU, one on
     * another driver): outputs written in the tools' formats, judged, stored. Returns where to read it.
     */
    static String demoAcceptance(Pitwall pitwall, Path results) {
        try {
            AcceptanceOutputs.write(results, AcceptanceOutputs.demoCluster(), 7);
            Baseline profile = Baseline.load("h100-sxm-8x");
            Evaluation evaluation = ResultsEvaluator.evaluate(results, Optional.of(profile));
            long id = pitwall.acceptanceRuns().save("Simulated 8-node acceptance (demo)", profile.name(), evaluation);
            return evaluation.verdict() + " for the simulated cluster in " + results + ": http://127.0.0.1:"
                    + pitwall.port() + AcceptanceService.PATH + "/" + id + "/report";
        } catch (IOException e) {
            throw new UncheckedIOException("the demo's acceptance run cannot be written to " + results, e);
        }
    }

    /**
     * A training job failing the way real ones do: every rank's NCCL watchdog times out while one
     * node's GPU falls off the bus. The lines go through the ingest API like a node's shipper
     * would send them; an existing incident is left alone so that restarts do not pile them up.
     */
    static String demoIncident(Pitwall pitwall) {
        String base = "http://127.0.0.1:" + pitwall.port();
        String timeout = "Watchdog caught collective operation timeout: WorkNCCL(SeqNum=48213, OpType=ALLREDUCE, "
                + "NumelIn=262144, NumelOut=262144, Timeout(ms)=600000) ran for 600041 milliseconds before timing out.";
        StringBuilder batch = new StringBuilder();
        for (int node = 1; node <= 4; node++) {
            batch.append(String.format(Locale.ROOT,
                    "{\"node\":\"gpu-b%02d\",\"source\":\"job\",\"line\":\"[rank%d]:[E ProcessGroupNCCL.cpp:632] %s\"}\n",
                    node, (node - 1) * 8, timeout));
        }
        batch.append("{\"node\":\"gpu-b06\",\"source\":\"kernel\",\"line\":\"NVRM: Xid (PCI:0000:3b:00): 79, pid=40122, "
                + "name=python, GPU has fallen off the bus.\"}\n");
        try (HttpClient client = HttpClient.newHttpClient()) {
            String listed = client.send(HttpRequest.newBuilder(URI.create(base + IncidentService.PATH)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (!listed.equals("[]")) {
                return "already recorded: " + base + "/training";
            }
            client.send(HttpRequest.newBuilder(URI.create(base + IngestService.PATH + "/logs"))
                    .POST(HttpRequest.BodyPublishers.ofString(batch.toString())).build(),
                    HttpResponse.BodyHandlers.discarding());
            return "a hung all-reduce and Xid 79 on gpu-b06, correlated into one: " + base + "/training";
        } catch (IOException e) {
            throw new UncheckedIOException("the demo's incident cannot be sent to " + base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending the demo's incident", e);
        }
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
