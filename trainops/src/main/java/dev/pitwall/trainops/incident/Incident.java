package dev.pitwall.trainops.incident;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Signals that belong together, and what has been done about them.
 *
 * @param suspectedNode the node most likely at fault: the first one a hardware signal named, else the node of
 *                      the incident's first signal; never rewritten once a hardware signal named it
 * @param suspects      every node a hardware signal named within the fault's first burst, first one first
 * @param nodes         every node that reported a signal of this incident
 * @param startedAt     when its earliest signal showed on its node; null for incidents older than that record
 * @param job           the training job its signals named; null when none did
 */
public record Incident(long id, String title, String category, String severity, String suspectedNode,
                       List<String> suspects, State state, int signals, List<String> nodes, Instant detectedAt,
                       Instant lastSignalAt, Instant acknowledgedAt, Instant mitigatedAt, Instant resolvedAt,
                       Instant startedAt, String job) {

    /** detected → acknowledged → mitigated (training running again) → resolved. */
    public enum State { DETECTED, ACKNOWLEDGED, MITIGATED, RESOLVED }

    /** From the fault showing on its node to Pitwall detecting it; empty when the start is not known. */
    public Optional<Duration> timeToDetect() {
        return Optional.ofNullable(startedAt).map(s -> Duration.between(s, detectedAt));
    }

    /** From detection to training running again; empty until mitigated. */
    public Optional<Duration> timeToRecover() {
        return Optional.ofNullable(mitigatedAt).map(m -> Duration.between(detectedAt, m));
    }
}
