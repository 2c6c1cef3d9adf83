package dev.pitwall.gateway.config;

import dev.pitwall.core.config.ConfigProblem;
import java.time.Duration;

/**
 * How long the gateway waits on a backend.
 *
 * @param connect    to open a TCP connection
 * @param firstToken from sending the request to the first token (the whole answer when not streaming)
 * @param idle       between two tokens of a stream
 * @param total      for the whole request
 */
public record BackendTimeouts(Duration connect, Duration firstToken, Duration idle, Duration total) {

    public BackendTimeouts {
        // Each timeout left out of a backend's entry takes its default.
        BackendTimeouts defaults = connect == null || firstToken == null || idle == null || total == null ? defaults() : null;
        connect = connect == null ? defaults.connect() : connect;
        firstToken = firstToken == null ? defaults.firstToken() : firstToken;
        idle = idle == null ? defaults.idle() : idle;
        total = total == null ? defaults.total() : total;
        ConfigProblem.positive("connect", connect);
        ConfigProblem.positive("first-token", firstToken);
        ConfigProblem.positive("idle", idle);
        ConfigProblem.positive("total", total);
    }

    public static BackendTimeouts defaults() {
        return new BackendTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(30),
                Duration.ofMinutes(10));
    }
}
