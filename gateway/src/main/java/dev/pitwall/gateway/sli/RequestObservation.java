package dev.pitwall.gateway.sli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one gateway request measured on its way through, filled in as it happens and handed to
 * {@link GatewayMetrics} at the end. Used by the request's own thread only.
 */
public final class RequestObservation {

    private final String model;
    private final String tenant;
    private final long startNanos;
    private final List<Duration> tokenGaps = new ArrayList<>();
    private String backend = "none";
    private Outcome outcome = Outcome.SUCCESS;
    private Duration timeToFirstToken;
    private long lastTokenNanos;
    private Duration duration;
    private long promptTokens;
    private long completionTokens;
    private String qualityFault;
    private long backendNanos;
    private long queuedNanos;

    public RequestObservation(String model, String tenant, long startNanos) {
        this.model = model;
        this.tenant = tenant;
        this.startNanos = startNanos;
    }

    public void backend(String name) {
        backend = name;
    }

    /** A streamed event carrying output arrived at {@code nanos}. */
    public void token(long nanos) {
        if (timeToFirstToken == null) {
            timeToFirstToken = Duration.ofNanos(nanos - startNanos);
        } else {
            tokenGaps.add(Duration.ofNanos(nanos - lastTokenNanos));
        }
        lastTokenNanos = nanos;
    }

    /** The request waited {@code nanos} on a backend: for its answer's head, its body or its next streamed event. */
    public void waitedOnBackend(long nanos) {
        backendNanos += nanos;
    }

    /** The request waited {@code nanos} in a backend's admission queue for a place. */
    public void queued(long nanos) {
        queuedNanos += nanos;
    }

    /** Time spent waiting on backends, in nanoseconds. */
    public long backendNanos() {
        return backendNanos;
    }

    /** Time spent waiting for a place at a backend, in nanoseconds. */
    public long queuedNanos() {
        return queuedNanos;
    }

    /** The request's time in the gateway itself: its whole duration but the waits on backends. */
    public Duration gatewayTime() {
        return duration.minusNanos(Math.min(backendNanos, duration.toNanos()));
    }

    /** The quality judge found the answer bad, for this reason. */
    public void qualityFault(String why) {
        qualityFault = why;
    }

    /** Why the quality judge found the answer bad, or null when it did not (or did not judge it). */
    public String qualityFault() {
        return qualityFault;
    }

    public void usage(long prompt, long completion) {
        promptTokens = prompt;
        completionTokens = completion;
    }

    public void finish(Outcome how, long nanos) {
        outcome = how;
        duration = Duration.ofNanos(nanos - startNanos);
    }

    /** When the request reached the gateway ({@link System#nanoTime()}). */
    public long startNanos() {
        return startNanos;
    }

    public String model() {
        return model;
    }

    public String tenant() {
        return tenant;
    }

    public String backend() {
        return backend;
    }

    public Outcome outcome() {
        return outcome;
    }

    public Duration duration() {
        return duration;
    }

    /** When the first output arrived ({@link System#nanoTime()}), if any did. */
    public java.util.OptionalLong firstTokenNanos() {
        return timeToFirstToken == null ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of(startNanos + timeToFirstToken.toNanos());
    }

    /** Null when no output came (errors, embeddings). */
    public Duration timeToFirstToken() {
        return timeToFirstToken;
    }

    public List<Duration> tokenGaps() {
        return tokenGaps;
    }

    public long promptTokens() {
        return promptTokens;
    }

    public long completionTokens() {
        return completionTokens;
    }
}
