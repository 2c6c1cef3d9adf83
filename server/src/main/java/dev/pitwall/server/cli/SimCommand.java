package dev.pitwall.server.cli;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.SimEngine;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sim",
        description = "Run simulated components that speak real protocols (for tests and demos).",
        mixinStandardHelpOptions = true)
final class SimCommand extends CommandGroup {

    SimCommand() {
        super(List.of(Engine.class));
    }

    @Command(name = "engine",
            description = "A simulated vLLM server: OpenAI endpoints, vLLM metrics, fault injection.",
            mixinStandardHelpOptions = true)
    static final class Engine implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--port", paramLabel = "PORT", defaultValue = "9001",
                description = "Port to listen on (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
                description = "Address to listen on (default: ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--profile", paramLabel = "NAME|FILE", defaultValue = "h100-llama3-8b",
                description = "Built-in profile (h100-llama3-8b, a100-llama3-8b) or a YAML profile file "
                        + "(default: ${DEFAULT-VALUE}).")
        String profile;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
                description = "Seed of the answers and injected errors (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            EngineProfile loaded;
            try {
                loaded = EngineProfile.load(profile);
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return PitwallCommand.EXIT_USAGE;
            }
            SimEngine engine;
            try {
                engine = SimEngine.start(loaded, seed, host, port);
            } catch (RuntimeException e) {
                spec.commandLine().getErr().println("pitwall sim engine: cannot start: " + Runner.rootMessage(e));
                return PitwallCommand.EXIT_FAILED;
            }
            out.println("Simulated vLLM engine serving " + loaded.model() + " (" + profile + ", seed " + seed + ")");
            out.println("  base URL  http://" + host + ":" + engine.port() + "/v1");
            out.println("  metrics   http://" + host + ":" + engine.port() + "/metrics");
            out.println("  faults    POST http://" + host + ":" + engine.port() + "/admin/faults");
            out.println("Press Ctrl-C to stop.");
            out.flush();
            Runner.awaitShutdown(() -> {
                engine.close();
                out.println("Simulated engine stopped.");
                out.flush();
            });
            return 0;
        }
    }
}
