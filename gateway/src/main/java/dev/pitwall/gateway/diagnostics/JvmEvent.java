package dev.pitwall.gateway.diagnostics;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * One thing the JVM did that can hold a request up, as Flight Recorder saw it.
 *
 * @param threadId the Java thread it held up, or {@link #ALL_THREADS} for a stop-the-world event
 * @param detail   what it was on: the monitor's class and where it was taken, the socket's peer, the file
 */
public record JvmEvent(Kind kind, Instant start, Duration duration, long threadId, String detail) {

    public static final long ALL_THREADS = -1;

    /** What held the request up. */
    public enum Kind {
        /** A stop-the-world garbage-collection pause. */
        GC_PAUSE("jdk.GCPhasePause", false),
        /** Threads taking long to reach a safepoint (every thread waits). */
        SAFEPOINT("jdk.SafepointBegin", false),
        /** Waiting to enter a {@code synchronized} block another thread held. */
        MONITOR_CONTENTION("jdk.JavaMonitorEnter", true),
        /** A virtual thread that could not leave its carrier while it blocked. */
        PINNED_VIRTUAL_THREAD("jdk.VirtualThreadPinned", true),
        /** A slow read from a socket (a client sending slowly, say). */
        SOCKET_READ("jdk.SocketRead", true),
        /** A slow write to a socket (a client reading slowly). */
        SOCKET_WRITE("jdk.SocketWrite", true),
        /** A slow file read. */
        FILE_READ("jdk.FileRead", true),
        /** A slow file write (a log or the store, say). */
        FILE_WRITE("jdk.FileWrite", true);

        private final String event;
        private final boolean perThread;

        Kind(String event, boolean perThread) {
            this.event = event;
            this.perThread = perThread;
        }

        /** The Flight Recorder event it comes from. */
        public String event() {
            return event;
        }

        /** Whether it holds up only the thread it happened on (else every thread). */
        public boolean perThread() {
            return perThread;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Instant end() {
        return start.plus(duration);
    }

    /** How much of {@code [from, to]} this event covers. */
    Duration overlap(Instant from, Instant to) {
        Instant a = start.isAfter(from) ? start : from;
        Instant b = end().isBefore(to) ? end() : to;
        return b.isAfter(a) ? Duration.between(a, b) : Duration.ZERO;
    }
}
