package dev.pitwall.server.cli;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.storage.Database;
import dev.pitwall.server.PitwallStore;
import dev.pitwall.server.config.PitwallConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Which server's store a command uses: its configuration, and its data directory in place of the configuration's. */
final class StoreOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The server's configuration, for where its store is (default: ./pitwall.yaml when it exists).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The server's data directory, for its embedded store (default: the configuration's).")
    Path dataDir;

    /** What a command does with the store it reads; answers the command's exit code. */
    @FunctionalInterface
    interface Reading {
        int read(Database database) throws Exception;
    }

    /**
     * Opens the store these options name (never creating one where there is none), says on standard
     * error which it read, and runs {@code reading} on it; exit 2 with the reason when the
     * configuration is wrong or there is no store.
     */
    int readExisting(CommandSpec spec, Reading reading) throws Exception {
        PitwallConfig loaded;
        try {
            loaded = load();
        } catch (ConfigException e) {
            return PitwallCommand.usageError(spec, e.getMessage());
        }
        Database opened;
        try {
            opened = PitwallStore.openExisting(loaded, new SimpleMeterRegistry());
        } catch (IllegalStateException e) {
            return PitwallCommand.usageError(spec, e.getMessage());
        }
        spec.commandLine().getErr().println("reading " + opened.describe());
        try (Database database = opened) {
            return reading.read(database);
        }
    }

    PitwallConfig load() throws ConfigException {
        PitwallConfig loaded = PitwallConfig.load(PitwallConfig.fileToRead(config), System.getenv());
        return dataDir == null ? loaded : loaded.withDataDir(dataDir);
    }
}
