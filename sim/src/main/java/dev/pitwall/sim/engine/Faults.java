package dev.pitwall.sim.engine;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Faults injected into a simulated engine at run time, through {@code POST /admin/faults}.
 * Each is off at its neutral value; several can be on at once.
 *
 * @param slowdown        every engine step takes this many times longer (1 = normal)
 * @param errorRate       share of new requests answered with {@code errorStatus} at once (0–1)
 * @param errorStatus     the HTTP status of those answers
 * @param hangAfterTokens a streamed answer stops sending after this many tokens but keeps the
 *                        connection open (-1 = never)
 * @param dropAfterTokens a streamed answer's connection is cut after this many tokens (-1 = never)
 * @param garbage         streamed events carry unreadable JSON
 * @param output          well-formed answers whose text is broken, as a bad deployment's is:
 *                        {@code repetition} (one short phrase over and over, with confident
 *                        logprobs) or {@code noise} (random characters, with flat logprobs)
 */
public record Faults(double slowdown,
                     @JsonProperty("error_rate") double errorRate,
                     @JsonProperty("error_status") int errorStatus,
                     @JsonProperty("hang_after_tokens") int hangAfterTokens,
                     @JsonProperty("drop_after_tokens") int dropAfterTokens,
                     boolean garbage,
                     OutputFault output) {

    public static final Faults NONE = new Faults(1.0, 0.0, 503, -1, -1, false, OutputFault.NONE);

    /** What a generated answer's text is like. */
    public enum OutputFault {
        @JsonProperty("none") NONE,
        @JsonProperty("repetition") REPETITION,
        @JsonProperty("noise") NOISE
    }

    /** Faults of the transport and timing only; answers' text is normal. */
    public Faults(double slowdown, double errorRate, int errorStatus, int hangAfterTokens, int dropAfterTokens,
                  boolean garbage) {
        this(slowdown, errorRate, errorStatus, hangAfterTokens, dropAfterTokens, garbage, OutputFault.NONE);
    }

    /** Only {@code output} broken. */
    public static Faults output(OutputFault output) {
        return new Faults(1.0, 0.0, 503, -1, -1, false, output);
    }

    public Faults {
        if (!(slowdown >= 1.0 && slowdown <= 1000)) {
            throw new IllegalArgumentException("slowdown must be from 1 to 1000, found " + slowdown);
        }
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw new IllegalArgumentException("error_rate must be from 0 to 1, found " + errorRate);
        }
        output = output == null ? OutputFault.NONE : output;
        if (errorStatus < 400 || errorStatus > 599) {
            throw new IllegalArgumentException("error_status must be an HTTP error status (400-599), found " + errorStatus);
        }
    }
}
