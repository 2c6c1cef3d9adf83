package dev.pitwall.server.cli;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.server.config.PitwallConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which server's store a command uses: its configuration, and its data directory in place of the configuration's. */
final class StoreOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The server's configuration, for where its store is (default: ./pitwall.yaml when it exists).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The server's data directory, for its embedded store (default: the configuration's).")
    Path dataDir;

    PitwallConfig load() throws ConfigException {
        PitwallConfig loaded = PitwallConfig.load(PitwallConfig.fileToRead(config), System.getenv());
        return dataDir == null ? loaded : loaded.withDataDir(dataDir);
    }
}
