package dev.pitwall.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitwall.core.audit.AuditEvent;
import dev.pitwall.core.audit.AuditLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every module may rely on from the store, on SQLite and (where available) PostgreSQL. */
class DatabaseContractTest {

    @TempDir
    Path tempDir;

    static Stream<String> targets() {
        return StorageTarget.available();
    }

    private Database open(StorageTarget target) {
        Database database = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry());
        database.migrate(AuditLog.MODULE);
        return database;
    }

    @ParameterizedTest
    @MethodSource("targets")
    void migratesOnceAndAgainWithoutChange(String name) {
        try (StorageTarget target = StorageTarget.create(name, tempDir); Database database = open(target)) {
            database.migrate(AuditLog.MODULE);
            int applied = database.jdbi().withHandle(h -> h.createQuery(
                    "SELECT COUNT(*) FROM flyway_history_core WHERE version = '1' AND success = " + trueLiteral(database))
                    .mapTo(Integer.class).one());
            assertThat(applied).as("V1 applied once, not again").isEqualTo(1);
            assertThat(database.ping(Duration.ofSeconds(2))).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void keepsAuditEventsInOrderWithTheirFields(String name) {
        Clock clock = Clock.fixed(Instant.parse("2026-03-01T12:00:00.123Z"), ZoneOffset.UTC);
        try (StorageTarget target = StorageTarget.create(name, tempDir); Database database = open(target)) {
            AuditLog log = new AuditLog(database, clock);
            AuditEvent first = log.record("alice", "node.cordon", "gpu-node-17", "{\"reason\":\"Xid 79\"}");
            AuditEvent second = log.record("pitwall", "key.create", "key-42", "tenant demo");

            assertThat(second.id()).isGreaterThan(first.id());
            List<AuditEvent> recent = log.recent(10);
            assertThat(recent).containsExactly(second, first);
            assertThat(recent.get(1).occurredAt()).isEqualTo(Instant.parse("2026-03-01T12:00:00.123Z"));
            assertThat(log.recent(1)).containsExactly(second);
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void acceptsConcurrentWritersWithoutLosingOne(String name) throws Exception {
        try (StorageTarget target = StorageTarget.create(name, tempDir); Database database = open(target);
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            AuditLog log = new AuditLog(database, Clock.systemUTC());
            List<Callable<Integer>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(() -> {
                    for (int i = 0; i < 50; i++) {
                        log.record("writer-" + writer, "test.write", "row-" + i, "");
                    }
                    return 50;
                });
            }
            for (Future<Integer> done : pool.invokeAll(writers)) {
                assertThat(done.get()).isEqualTo(50);
            }
            assertThat(log.recent(1000)).hasSize(200);
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void namesTheStoreWithoutItsCredentials(String name) {
        try (StorageTarget target = StorageTarget.create(name, tempDir); Database database = open(target)) {
            assertThat(database.describe())
                    .startsWith(database.dialect().displayName())
                    .doesNotContain("password").doesNotContain("?");
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void reportsNotReadyOnceClosed(String name) {
        try (StorageTarget target = StorageTarget.create(name, tempDir)) {
            Database database = open(target);
            database.close();
            assertThat(database.ping(Duration.ofSeconds(1))).isFalse();
        }
    }

    @org.junit.jupiter.api.Test
    void sqliteRunsInWalModeWithForeignKeysAndFullSync() {
        try (Database database = Database.open(StorageConfig.defaults(), tempDir, new SimpleMeterRegistry())) {
            database.jdbi().useHandle(h -> {
                assertThat(h.createQuery("PRAGMA journal_mode").mapTo(String.class).one()).isEqualTo("wal");
                assertThat(h.createQuery("PRAGMA foreign_keys").mapTo(Integer.class).one()).isEqualTo(1);
                assertThat(h.createQuery("PRAGMA synchronous").mapTo(Integer.class).one()).as("FULL").isEqualTo(2);
            });
            assertThat(tempDir.resolve(Database.SQLITE_FILE)).exists();
        }
    }

    @org.junit.jupiter.api.Test
    void saysWhichPostgresqlCannotBeReached() {
        StorageConfig unreachable = StorageConfig.defaults().withUrl("jdbc:postgresql://127.0.0.1:1/nowhere")
                .withConnectTimeout(Duration.ofMillis(500));
        assertThatThrownBy(() -> Database.open(unreachable, tempDir, new SimpleMeterRegistry()))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("PostgreSQL at jdbc:postgresql://127.0.0.1:1/nowhere cannot be opened");
    }

    private static String trueLiteral(Database database) {
        return database.dialect() == Dialect.SQLITE ? "1" : "TRUE";
    }
}
