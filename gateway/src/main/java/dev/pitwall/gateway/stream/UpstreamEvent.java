package dev.pitwall.gateway.stream;

/** What reading a backend's server-sent event stream yields, in order. */
public sealed interface UpstreamEvent {

    /** One event's data, its {@code data:} lines joined; {@code [DONE]} included as sent. */
    record Data(String data) implements UpstreamEvent {
    }

    /** The backend closed the stream. */
    record Ended() implements UpstreamEvent {
    }

    /** Reading failed: the connection broke, or the gateway closed it. */
    record Failed(Exception cause) implements UpstreamEvent {
    }
}
