package dev.pitwall.trainops.ingest;

import dev.pitwall.trainops.detect.Signal;
import java.time.Instant;

/** A signal as stored: which node and log it came from, and when it arrived. */
public record StoredSignal(long id, Instant receivedAt, String node, String source, Signal signal) {
}
