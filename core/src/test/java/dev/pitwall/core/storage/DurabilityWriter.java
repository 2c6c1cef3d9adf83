package dev.pitwall.core.storage;

import dev.pitwall.core.audit.AuditLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The child process of {@link DurabilityTest}: appends audit events for ever and prints
 * {@code ack <id>} after each commit returns, until it is killed.
 */
public final class DurabilityWriter {

    private DurabilityWriter() {
    }

    public static void main(String[] args) {
        StorageConfig config = StorageConfig.defaults().withUrl(args[0]);
        Database database = Database.open(config, Path.of("."), new SimpleMeterRegistry());
        AuditLog log = new AuditLog(database, Clock.systemUTC());
        for (long i = 0; ; i++) {
            long id = log.record("durability", "test.write", "row-" + i, "").id();
            System.out.println("ack " + id);
            System.out.flush();
        }
    }
}
