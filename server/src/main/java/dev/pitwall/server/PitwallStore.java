package dev.pitwall.server;

import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.storage.Database;
import dev.pitwall.gateway.Gateway;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.trainops.TrainOps;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens a configuration's store with every module's tables migrated, for the server and for
 * each command that reads or writes it, so that none of them finds a table missing.
 */
public final class PitwallStore {

    /** Each module's migrations, in the order of the module table (lower modules first). */
    static final List<String> MODULES = List.of(AuditLog.MODULE, Gateway.MODULE, AcceptanceRuns.MODULE, TrainOps.MODULE);

    private PitwallStore() {
    }

    /**
     * Opens a store that must exist already, for commands that only read it: they never leave an
     * empty database behind where there was none (an embedded store whose file is missing).
     *
     * @throws IllegalStateException when the embedded store's file is not there
     */
    public static Database openExisting(PitwallConfig config, MeterRegistry registry) {
        Path file = config.dataDir().resolve(Database.SQLITE_FILE);
        if (config.storage().url().isEmpty() && !Files.isRegularFile(file)) {
            throw new IllegalStateException("no Pitwall store at " + file.toAbsolutePath().normalize()
                    + ": give the data directory (--data-dir) or configuration (--config) of the server whose store to read");
        }
        return open(config, registry);
    }

    /**
     * @param registry where the connection pool reports
     * @throws dev.pitwall.core.storage.StorageException when the store cannot be reached or migrated
     */
    public static Database open(PitwallConfig config, MeterRegistry registry) {
        Database database = Database.open(config.storage(), config.dataDir(), registry);
        try {
            MODULES.forEach(database::migrate);
            return database;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }
}
