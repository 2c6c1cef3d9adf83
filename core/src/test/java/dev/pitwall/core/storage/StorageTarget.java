package dev.pitwall.core.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A throw-away store for one test: an SQLite file in a temporary folder, or a fresh schema in
 * the PostgreSQL database named by {@code PITWALL_TEST_PG_URL} (dropped on close). Storage tests
 * run against every target that is available here; PostgreSQL is available where CI sets the
 * variable.
 */
public record StorageTarget(String name, StorageConfig config, Path dataDir, Optional<String> schema)
        implements AutoCloseable {

    public static final String PG_URL_VARIABLE = "PITWALL_TEST_PG_URL";

    /** "sqlite" always, "postgresql" when {@value #PG_URL_VARIABLE} is set. */
    public static Stream<String> available() {
        return pgUrl().isPresent() ? Stream.of("sqlite", "postgresql") : Stream.of("sqlite");
    }

    public static StorageTarget create(String name, Path tempDir) {
        return switch (name) {
            case "sqlite" -> new StorageTarget(name, StorageConfig.defaults(), tempDir, Optional.empty());
            case "postgresql" -> postgresql(tempDir);
            default -> throw new IllegalArgumentException("no storage target " + name);
        };
    }

    private static StorageTarget postgresql(Path tempDir) {
        String base = pgUrl().orElseThrow(() -> new IllegalStateException(PG_URL_VARIABLE + " is not set"));
        String schema = "pitwall_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute(base, "CREATE SCHEMA " + schema);
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new StorageTarget("postgresql", StorageConfig.defaults().withUrl(url), tempDir, Optional.of(schema));
    }

    private static Optional<String> pgUrl() {
        return Optional.ofNullable(System.getenv(PG_URL_VARIABLE)).filter(s -> !s.isBlank());
    }

    private static void execute(String url, String sql) {
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + url + " refused: " + sql, e);
        }
    }

    @Override
    public void close() {
        schema.ifPresent(s -> execute(pgUrl().orElseThrow(), "DROP SCHEMA " + s + " CASCADE"));
    }
}
