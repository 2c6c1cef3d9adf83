package dev.pitwall.trainops.signal;

import java.time.Instant;

/**
 * A signal as stored: which node and log it came from, the training job when the sender named it,
 * when its line was written there (null when the sender did not say) and when it arrived.
 */
public record StoredSignal(long id, Instant receivedAt, Instant occurredAt, String node, String source, String job,
                           Signal signal) {

    /** A signal not stored yet, of no named job. */
    public static StoredSignal of(String node, String source, Instant occurredAt, Signal signal) {
        return new StoredSignal(0, null, occurredAt, node, source, null, signal);
    }

    /** The same signal, of {@code newJob}. */
    public StoredSignal ofJob(String newJob) {
        return new StoredSignal(id, receivedAt, occurredAt, node, source, newJob, signal);
    }

    /** When the fault showed: the line's own time when known, else its arrival. */
    public Instant seenAt() {
        return occurredAt != null ? occurredAt : receivedAt;
    }
}
