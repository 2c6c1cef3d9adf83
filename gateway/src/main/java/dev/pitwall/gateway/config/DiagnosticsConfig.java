package dev.pitwall.gateway.config;

import dev.pitwall.core.config.ConfigProblem;
import java.time.Duration;

/**
 * Latency-spike attribution: the JVM's own events (GC pauses, safepoints, contended monitors,
 * pinned virtual threads, slow socket and file I/O) from JDK Flight Recorder, set beside the
 * requests that spent long in the gateway itself.
 *
 * @param enabled                whether Flight Recorder events are streamed at all
 * @param slowRequestThreshold   time in the gateway (the backend's excluded) over which a request is kept as slow
 * @param eventThreshold         monitor waits, pinning and I/O shorter than this are not recorded (GC pauses all are)
 */
public record DiagnosticsConfig(Boolean enabled, Duration slowRequestThreshold, Duration eventThreshold) {

    public DiagnosticsConfig {
        enabled = enabled == null || enabled;
        slowRequestThreshold = slowRequestThreshold == null ? Duration.ofMillis(50) : slowRequestThreshold;
        eventThreshold = eventThreshold == null ? Duration.ofMillis(10) : eventThreshold;
        ConfigProblem.positive("slow-request-threshold", slowRequestThreshold);
        ConfigProblem.positive("event-threshold", eventThreshold);
    }

    public static DiagnosticsConfig defaults() {
        return new DiagnosticsConfig(null, null, null);
    }
}
