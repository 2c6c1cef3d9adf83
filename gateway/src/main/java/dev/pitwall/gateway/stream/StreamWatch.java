package dev.pitwall.gateway.stream;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks after every open stream from one thread, a few times a heartbeat: a stream whose
 * deadline passed has its backend's connection closed, and a client that has seen nothing for a
 * heartbeat gets one. So a stream costs the request's thread alone, blocked reading its backend,
 * not a second thread waiting beside it (a virtual thread's stack, a queue and their locks, about
 * 6 KiB a stream, 60 MiB at 10,000).
 */
public final class StreamWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamWatch.class);
    /** A deadline is kept to within this, and a heartbeat comes after at most this more silence. */
    private static final long LOOK_EVERY_MS = 100;

    private final Set<SseRelay.Relayed> streams = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService looks = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("pitwall-stream-watch").daemon().factory());
    private final Executor heartbeats = heartbeat -> Thread.ofVirtual().name("pitwall-heartbeat").start(heartbeat);

    public StreamWatch() {
        looks.scheduleWithFixedDelay(this::look, LOOK_EVERY_MS, LOOK_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    void add(SseRelay.Relayed stream) {
        streams.add(stream);
    }

    void remove(SseRelay.Relayed stream) {
        streams.remove(stream);
    }

    private void look() {
        long now = System.nanoTime();
        for (SseRelay.Relayed stream : streams) {
            try {
                stream.look(now, heartbeats);
            } catch (RuntimeException e) {
                // One stream's trouble must not end the watch of all the others.
                LOG.warn("Watching a stream failed", e);
            }
        }
    }

    @Override
    public void close() {
        looks.shutdownNow();
    }
}
