package dev.pitwall.server.cli;

import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.server.BuildInfo;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.SimEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        String base = "http://127.0.0.1:" + (port == 0 ? "PORT" : port);
        notes.add("Try the gateway:");
        notes.add("  curl -N " + base + "/v1/chat/completions -H 'Content-Type: application/json' \\");
        notes.add("    -d '{\"model\":\"" + DEMO_MODEL + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'");
        return Runner.runUntilStopped("Pitwall " + BuildInfo.current().version() + " demo (embedded defaults)",
                config.withGateway(new GatewayConfig(backends, List.of())), engines, notes,
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
