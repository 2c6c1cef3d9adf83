package dev.pitwall.server.cli;

import dev.pitwall.server.BuildInfo;
import dev.pitwall.server.config.PitwallConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo",
        description = "Run everything on embedded defaults (SQLite, loopback) to look around.",
        mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {

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
        return Runner.runUntilStopped("Pitwall " + BuildInfo.current().version() + " demo (embedded defaults)",
                config, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
