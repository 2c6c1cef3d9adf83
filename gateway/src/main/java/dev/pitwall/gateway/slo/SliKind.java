package dev.pitwall.gateway.slo;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pitwall.gateway.sli.Outcome;
import dev.pitwall.gateway.sli.RequestObservation;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** What an objective counts as a good event, and which requests it counts at all. */
public enum SliKind {
    /**
     * Requests answered without a 5xx, a timeout or a mid-stream error. Requests refused for the
     * client's own fault (4xx, a spent budget) or left by the client are not counted either way.
     */
    @JsonProperty("availability") AVAILABILITY,
    /** Requests whose first token came within the threshold, among those that streamed one. */
    @JsonProperty("ttft") TTFT,
    /** Requests answered in full (last byte) within the threshold, whatever their outcome. */
    @JsonProperty("latency") LATENCY;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<SliKind> parse(String text) {
        for (SliKind kind : values()) {
            if (kind.label().equals(text)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    public boolean needsThreshold() {
        return this != AVAILABILITY;
    }

    /** Whether {@code done} was a good event, or empty when this indicator does not count it. */
    Optional<Boolean> judge(RequestObservation done, Duration threshold) {
        return switch (this) {
            case AVAILABILITY -> counted(done.outcome()) ? Optional.of(!done.outcome().serverSideFailure())
                    : Optional.empty();
            case TTFT -> Optional.ofNullable(done.timeToFirstToken()).map(ttft -> ttft.compareTo(threshold) <= 0);
            case LATENCY -> Optional.of(done.duration().compareTo(threshold) <= 0);
        };
    }

    /** The outcomes availability counts: everything but the client's own doing. */
    static boolean counted(Outcome outcome) {
        return outcome == Outcome.SUCCESS || outcome.serverSideFailure();
    }
}
