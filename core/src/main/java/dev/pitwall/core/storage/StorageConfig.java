package dev.pitwall.core.storage;

import dev.pitwall.core.config.ConfigProblem;
import java.time.Duration;

/**
 * Where Pitwall keeps its data.
 *
 * @param url            empty for the embedded SQLite file {@code <data-dir>/pitwall.db}; a
 *                       {@code jdbc:sqlite:} URL for another SQLite file; a
 *                       {@code jdbc:postgresql:} URL when several replicas share one database
 * @param username       database user (PostgreSQL)
 * @param password       database password (PostgreSQL); prefer {@code PITWALL_STORAGE_PASSWORD}
 * @param poolSize       connections kept open
 * @param connectTimeout how long a request waits for a free connection before failing
 * @param busyTimeout    how long SQLite waits on a locked database before failing
 */
public record StorageConfig(String url, String username, String password, int poolSize,
                            Duration connectTimeout, Duration busyTimeout) {

    public StorageConfig {
        url = url == null ? "" : url.strip();
        if (!url.isEmpty() && !url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw new ConfigProblem("url", "\"" + url + "\"",
                    "empty (embedded SQLite), a jdbc:sqlite: URL or a jdbc:postgresql: URL");
        }
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        ConfigProblem.inRange("pool-size", poolSize, 1, 200, "a connection count");
        ConfigProblem.positive("connect-timeout", connectTimeout);
        ConfigProblem.positive("busy-timeout", busyTimeout);
    }

    public static StorageConfig defaults() {
        return new StorageConfig("", "", "", 8, Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    /** The same settings with another URL (tests and tools point one config at another store). */
    public StorageConfig withUrl(String newUrl) {
        return new StorageConfig(newUrl, username, password, poolSize, connectTimeout, busyTimeout);
    }

    public StorageConfig withConnectTimeout(Duration newTimeout) {
        return new StorageConfig(url, username, password, poolSize, newTimeout, busyTimeout);
    }
}
