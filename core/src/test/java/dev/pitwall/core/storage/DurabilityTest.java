package dev.pitwall.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.testing.ChildJvm;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A writer killed with SIGKILL in the middle of its work loses nothing it had acknowledged:
 * every row whose commit returned is there when the store is opened again.
 */
class DurabilityTest {

    private static final int ACKS_BEFORE_KILL = 300;

    @TempDir
    Path tempDir;

    static Stream<String> targets() {
        return StorageTarget.available();
    }

    @ParameterizedTest
    @MethodSource("targets")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void keepsEveryAcknowledgedRowAfterKillNine(String name) throws Exception {
        try (StorageTarget target = StorageTarget.create(name, tempDir)) {
            String url = target.config().url().isEmpty()
                    ? "jdbc:sqlite:" + tempDir.resolve(Database.SQLITE_FILE)
                    : target.config().url();
            try (Database database = Database.open(target.config().withUrl(url), tempDir, new SimpleMeterRegistry())) {
                database.migrate(AuditLog.MODULE);
            }

            Process writer = ChildJvm.start(DurabilityWriter.class, List.of(url));
            Set<Long> acknowledged = new HashSet<>();
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while (acknowledged.size() < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
                    acknowledged.add(Long.parseLong(line.substring("ack ".length())));
                }
                // SIGKILL on Linux: no shutdown hooks, no flushing, mid-transaction.
                writer.destroyForcibly();
                assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(writer.exitValue()).as("killed by signal 9").isEqualTo(128 + 9);
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

            try (Database reopened = Database.open(target.config().withUrl(url), tempDir, new SimpleMeterRegistry())) {
                Set<Long> stored = new HashSet<>(reopened.jdbi().withHandle(h ->
                        h.createQuery("SELECT id FROM audit_event").mapTo(Long.class).list()));
                assertThat(stored).containsAll(acknowledged);
            }
        }
    }
}
