package dev.pitwall.server.cli;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.server.BuildInfo;
import dev.pitwall.server.config.PitwallConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve",
        description = "Run Pitwall for production from pitwall.yaml and PITWALL_* variables.",
        mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "YAML configuration (default: ./pitwall.yaml when it exists, else built-in defaults).")
    Path config;

    @Override
    public Integer call() {
        Optional<Path> file = PitwallConfig.fileToRead(config);
        PitwallConfig loaded;
        try {
            loaded = PitwallConfig.load(file, System.getenv());
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            spec.commandLine().getErr().flush();
            return PitwallCommand.EXIT_USAGE;
        }
        String source = file.map(f -> "configuration " + f).orElse("built-in defaults");
        return Runner.runUntilStopped("Pitwall " + BuildInfo.current().version() + " serving (" + source + ")",
                loaded, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
