package dev.pitwall.core.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The store every module keeps its state in: a pooled connection to SQLite (embedded default)
 * or PostgreSQL, reached through JDBI, with each module's schema migrated by Flyway.
 *
 * <p>SQLite runs in WAL mode with {@code synchronous=FULL}, so a commit that returned is on disk
 * even if the process is killed the next instant; foreign keys are enforced and a locked
 * database is waited on for {@link StorageConfig#busyTimeout()}.
 */
public final class Database implements AutoCloseable {

    public static final String SQLITE_FILE = "pitwall.db";

    private static final Pattern MODULE = Pattern.compile("[a-z][a-z0-9]*");
    private static final Pattern CHANNEL = Pattern.compile("[a-z_]+");
    /** How long a listener waits for a notification before it looks whether it was stopped. */
    private static final int LISTEN_POLL_MILLIS = 500;

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final String location;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource, Dialect dialect, String location) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.location = location;
        this.jdbi = Jdbi.create(dataSource);
    }

    /**
     * Opens the store named by {@code config}; an empty URL means {@code dataDir/pitwall.db}.
     *
     * @param registry where the pool reports its connections and wait times
     * @throws StorageException when the database cannot be reached or the file not created
     */
    public static Database open(StorageConfig config, Path dataDir, MeterRegistry registry) {
        String url = config.url().isEmpty()
                ? "jdbc:sqlite:" + dataDir.resolve(SQLITE_FILE)
                : config.url();
        Dialect dialect = Dialect.ofUrl(url);
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("pitwall-storage");
        pool.setMaximumPoolSize(config.poolSize());
        pool.setConnectionTimeout(config.connectTimeout().toMillis());
        pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        String location;
        if (dialect == Dialect.SQLITE) {
            Path file = Path.of(url.substring("jdbc:sqlite:".length()));
            createParent(file);
            pool.setDataSource(sqlite(url, config.busyTimeout()));
            location = file.toString();
        } else {
            pool.setJdbcUrl(url);
            if (!config.username().isEmpty()) {
                pool.setUsername(config.username());
            }
            if (!config.password().isEmpty()) {
                pool.setPassword(config.password());
            }
            location = withoutQuery(url);
        }
        try {
            return new Database(new HikariDataSource(pool), dialect, location);
        } catch (RuntimeException e) {
            throw new StorageException(dialect.displayName() + " at " + location + " cannot be opened: "
                    + rootMessage(e), e);
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * Runs {@code onNotify} (on a thread of its own) whenever any process sharing this store calls
     * {@link #notify(String)} on {@code channel}: PostgreSQL's LISTEN/NOTIFY, on a connection held
     * for it and opened again when it breaks. SQLite has no other process to hear from: nothing is
     * started there.
     *
     * @return stops listening
     */
    public AutoCloseable listen(String channel, Runnable onNotify) {
        checkChannel(channel);
        if (dialect != Dialect.POSTGRESQL) {
            return () -> {
            };
        }
        Thread listener = Thread.ofPlatform().daemon().name("pitwall-listen-" + channel).start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try (java.sql.Connection connection = dataSource.getConnection();
                     java.sql.Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + channel);
                    org.postgresql.PGConnection pg = connection.unwrap(org.postgresql.PGConnection.class);
                    onNotify.run(); // whatever was said while not listening
                    while (!Thread.currentThread().isInterrupted()) {
                        org.postgresql.PGNotification[] heard = pg.getNotifications(LISTEN_POLL_MILLIS);
                        if (heard != null && heard.length > 0) {
                            onNotify.run();
                        }
                    }
                } catch (java.sql.SQLException | RuntimeException e) {
                    if (dataSource.isClosed()) {
                        return;
                    }
                    try {
                        Thread.sleep(LISTEN_POLL_MILLIS); // the store is away: listen again once it answers
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            }
        });
        return listener::interrupt;
    }

    /** Tells every process listening on {@code channel} (see {@link #listen}); nothing on SQLite. */
    public void notify(String channel) {
        checkChannel(channel);
        if (dialect == Dialect.POSTGRESQL) {
            jdbi.useHandle(handle -> handle.createQuery("SELECT pg_notify(:channel, '')").bind("channel", channel)
                    .mapTo(String.class).one());
        }
    }

    private static void checkChannel(String channel) {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("a channel is lower-case letters and '_', not " + channel);
        }
    }

    public Dialect dialect() {
        return dialect;
    }

    /** For people: "SQLite pitwall-data/pitwall.db" or the PostgreSQL URL without its query. */
    public String describe() {
        return dialect.displayName() + " " + location;
    }

    /**
     * Brings the tables of {@code module} up to date from {@code classpath:db/migration/<module>}.
     * Each module keeps its own migration history table, so modules version their schemas
     * independently and one module's migrations never wait on another's numbering.
     */
    public void migrate(String module) {
        if (!MODULE.matcher(module).matches()) {
            throw new IllegalArgumentException("module names are lower-case words: " + module);
        }
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration/" + module)
                    .table("flyway_history_" + module)
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    // A migration that moved to another module (acceptance_run went from trainops to
                    // acceptance) stays applied in the history it was recorded in; its table lives on.
                    .ignoreMigrationPatterns("*:missing")
                    .placeholders(dialect.placeholders())
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new StorageException("the " + module + " tables in " + describe() + " cannot be migrated: "
                    + rootMessage(e), e);
        }
    }

    /** True when the database answers a trivial query within {@code timeout}. */
    public boolean ping(Duration timeout) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid((int) Math.max(1, timeout.toSeconds()));
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }

    private static SQLiteDataSource sqlite(String url, Duration busyTimeout) {
        SQLiteConfig settings = new SQLiteConfig();
        settings.setJournalMode(SQLiteConfig.JournalMode.WAL);
        settings.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        settings.enforceForeignKeys(true);
        settings.setBusyTimeout((int) busyTimeout.toMillis());
        SQLiteDataSource source = new SQLiteDataSource(settings);
        source.setUrl(url);
        return source;
    }

    private static void createParent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new StorageException("the data directory " + parent + " cannot be created: " + e.getMessage(),
                    new UncheckedIOException(e));
        }
    }

    private static String withoutQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
