package dev.pitwall.gateway.diagnostics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's own events that hold requests up, streamed in process from Flight Recorder (the
 * JVM's answer to eBPF): every GC pause, and safepoints, monitor waits, pinned virtual
 * threads and socket and file I/O over a threshold. The last {@link #KEEP} of them are kept,
 * {@link #MAX_EVENTS} at most. Flight Recorder hands events over about once a second.
 */
public final class JvmEvents implements AutoCloseable {

    static final Duration KEEP = Duration.ofMinutes(15);
    static final int MAX_EVENTS = 50_000;

    private static final Logger LOG = LoggerFactory.getLogger(JvmEvents.class);

    private final RecordingStream stream;
    private final Deque<JvmEvent> recent = new ArrayDeque<>();
    private final AtomicLong seen = new AtomicLong();

    /** Starts streaming; {@code threshold} is the shortest monitor wait, pinning, safepoint or I/O kept. */
    public JvmEvents(Duration threshold) {
        stream = new RecordingStream();
        for (JvmEvent.Kind kind : JvmEvent.Kind.values()) {
            var settings = stream.enable(kind.event()).withThreshold(kind == JvmEvent.Kind.GC_PAUSE ? Duration.ZERO
                    : threshold);
            if (kind == JvmEvent.Kind.MONITOR_CONTENTION || kind == JvmEvent.Kind.PINNED_VIRTUAL_THREAD) {
                settings.withStackTrace();
            } else {
                settings.withoutStackTrace();
            }
            stream.onEvent(kind.event(), event -> keep(kind, event));
        }
        stream.setMaxAge(Duration.ofMinutes(1));
        stream.onError(e -> LOG.warn("Flight Recorder stream failed: {}", e.toString()));
        stream.startAsync();
    }

    /** Events that overlap {@code [from, to]}, oldest first. */
    public List<JvmEvent> between(Instant from, Instant to) {
        List<JvmEvent> out = new ArrayList<>();
        synchronized (recent) {
            for (JvmEvent e : recent) {
                if (e.start().isBefore(to) && e.end().isAfter(from)) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** How many events have been kept since start; tests wait on it. */
    public long seen() {
        return seen.get();
    }

    private void keep(JvmEvent.Kind kind, RecordedEvent event) {
        RecordedThread thread = event.getThread();
        long threadId = kind.perThread() && thread != null ? thread.getJavaThreadId() : JvmEvent.ALL_THREADS;
        JvmEvent kept = new JvmEvent(kind, event.getStartTime(), event.getDuration(), threadId, detail(kind, event));
        Instant oldest = kept.end().minus(KEEP);
        synchronized (recent) {
            recent.addLast(kept);
            while (recent.size() > MAX_EVENTS || !recent.isEmpty() && recent.peekFirst().end().isBefore(oldest)) {
                recent.pollFirst();
            }
        }
        seen.incrementAndGet();
    }

    private static String detail(JvmEvent.Kind kind, RecordedEvent e) {
        return switch (kind) {
            case GC_PAUSE -> e.getString("name");
            case SAFEPOINT -> "safepoint " + e.getLong("safepointId");
            case MONITOR_CONTENTION -> e.getClass("monitorClass").getName() + where(e.getStackTrace());
            case PINNED_VIRTUAL_THREAD -> "pinned" + where(e.getStackTrace());
            case SOCKET_READ, SOCKET_WRITE -> peer(e);
            case FILE_READ, FILE_WRITE -> String.valueOf(e.getString("path"));
        };
    }

    /** The peer a socket event was with, as {@code address:port} (the IP address, not a name). */
    private static String peer(RecordedEvent e) {
        return e.getString("address") + ":" + e.getInt("port");
    }

    /** Where the thread was: its first frame outside the JDK, else its top frame. */
    private static String where(RecordedStackTrace trace) {
        if (trace == null || trace.getFrames().isEmpty()) {
            return "";
        }
        RecordedFrame chosen = trace.getFrames().getFirst();
        for (RecordedFrame frame : trace.getFrames()) {
            String type = frame.getMethod().getType().getName();
            if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
                chosen = frame;
                break;
            }
        }
        return " at " + chosen.getMethod().getType().getName() + "." + chosen.getMethod().getName() + ":"
                + chosen.getLineNumber();
    }

    @Override
    public void close() {
        stream.close();
    }
}
