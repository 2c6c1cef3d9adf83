package dev.pitwall.trainops.incident;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Signals that belong together, and what has been done about them.
 *
 * @param suspectedNode the node most likely at fault: the one with a hardware signal when there is one
 * @param nodes         every node that reported a signal of this incident
 */
public record Incident(long id, String title, String category, String severity, String suspectedNode, State state,
                       int signals, List<String> nodes, Instant detectedAt, Instant lastSignalAt, Instant acknowledgedAt,
                       Instant mitigatedAt, Instant resolvedAt) {

    /** detected → acknowledged → mitigated (training running again) → resolved. */
    public enum State { DETECTED, ACKNOWLEDGED, MITIGATED, RESOLVED }

    /** From detection to training running again; empty until mitigated. */
    public Optional<Duration> timeToRecover() {
        return Optional.ofNullable(mitigatedAt).map(m -> Duration.between(detectedAt, m));
    }
}
