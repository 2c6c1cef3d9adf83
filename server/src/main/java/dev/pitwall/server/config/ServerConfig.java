package dev.pitwall.server.config;

import dev.pitwall.core.config.ConfigProblem;
import java.time.Duration;

/**
 * The HTTP listener that serves the console, the APIs and {@code /metrics}.
 *
 * @param host            address to listen on; 127.0.0.1 keeps Pitwall private to the machine
 * @param port            TCP port; 0 picks a free one (printed at start)
 * @param maxRequestBytes request bodies larger than this are refused with 413
 * @param shutdownGrace   how long in-flight requests may take to finish on shutdown
 * @param accessLog       write one line per request to {@code <data-dir>/logs/access.log}
 */
public record ServerConfig(String host, int port, long maxRequestBytes, Duration shutdownGrace, boolean accessLog) {

    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new ConfigProblem("host", "nothing", "an address such as 127.0.0.1 or 0.0.0.0");
        }
        ConfigProblem.inRange("port", port, 0, 65535, "a TCP port (0 for any free port)");
        ConfigProblem.atLeast("max-request-bytes", maxRequestBytes, 1024, "a size in bytes");
        ConfigProblem.positive("shutdown-grace", shutdownGrace);
    }

    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8080, 10L * 1024 * 1024, Duration.ofSeconds(10), true);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, maxRequestBytes, shutdownGrace, accessLog);
    }
}
