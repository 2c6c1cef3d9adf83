package dev.pitwall.gateway.diagnostics;

import dev.pitwall.gateway.sli.RequestObservation;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Requests that spent long in the gateway itself (their whole time but the waits on backends),
 * each set beside the JVM's events that overlapped it: stop-the-world pauses whatever thread,
 * monitor waits, pinning and I/O on the request's own thread. Socket I/O with a backend is the
 * backend's time and is left out. The last {@link #MAX_REQUESTS} slow requests are kept.
 */
public final class SlowRequests {

    static final int MAX_REQUESTS = 2_000;

    /** A request kept as slow. */
    public record Slow(Instant start, Instant end, long threadId, String model, String tenant, String backend,
                       String outcome, Duration duration, Duration gatewayTime, Duration backendTime,
                       Duration queued) {
    }

    /**
     * One cause of a slow request.
     *
     * @param overlap how much of the request's time the cause's events covered
     * @param detail  the longest of its events: what it was on
     */
    public record Cause(String cause, Duration overlap, int events, String detail) {
    }

    /** A slow request with its causes, longest first, and the part of its gateway time none explains. */
    public record Attributed(Slow request, List<Cause> causes, Duration unattributed) {
    }

    private final JvmEvents events;
    private final Duration threshold;
    /** Flight Recorder stamps events by the system clock; requests are stamped by the same. */
    private final Clock clock = Clock.systemUTC();
    private final Set<String> backendPeers;
    private final Deque<Slow> kept = new ArrayDeque<>();

    /**
     * @param events       the JVM's events, or null when Flight Recorder is off (requests are still kept)
     * @param threshold    gateway time over which a request is kept
     * @param backendUrls  the backends' URLs: socket I/O with them is theirs
     */
    public SlowRequests(JvmEvents events, Duration threshold, Collection<String> backendUrls) {
        this.events = events;
        this.threshold = threshold;
        this.backendPeers = peers(backendUrls);
    }

    public Duration threshold() {
        return threshold;
    }

    /** Keeps {@code done}, handled on thread {@code threadId}, when its gateway time is over the threshold. */
    public void record(RequestObservation done, long threadId) {
        Duration inGateway = done.gatewayTime();
        if (inGateway.compareTo(threshold) < 0) {
            return;
        }
        Instant end = clock.instant().minusNanos(Math.max(0, System.nanoTime() - (done.startNanos()
                + done.duration().toNanos())));
        Slow slow = new Slow(end.minus(done.duration()), end, threadId, done.model(), done.tenant(), done.backend(),
                done.outcome().label(), done.duration(), inGateway, Duration.ofNanos(done.backendNanos()),
                Duration.ofNanos(done.queuedNanos()));
        synchronized (kept) {
            kept.addLast(slow);
            while (kept.size() > MAX_REQUESTS) {
                kept.pollFirst();
            }
        }
    }

    /** The slow requests that ended within {@code window} of now, slowest in the gateway first, {@code limit} at most. */
    public List<Attributed> recent(Duration window, int limit) {
        Instant since = clock.instant().minus(window);
        List<Slow> chosen = new ArrayList<>();
        synchronized (kept) {
            for (Slow s : kept) {
                if (s.end().isAfter(since)) {
                    chosen.add(s);
                }
            }
        }
        chosen.sort(Comparator.comparing(Slow::gatewayTime).reversed());
        List<Slow> shown = chosen.subList(0, Math.min(limit, chosen.size()));
        if (shown.isEmpty()) {
            return List.of();
        }
        // One pass over the kept events for every request shown, not one per request.
        Instant from = shown.stream().map(Slow::start).min(Comparator.naturalOrder()).orElseThrow();
        Instant to = shown.stream().map(Slow::end).max(Comparator.naturalOrder()).orElseThrow();
        List<JvmEvent> candidates = events == null ? List.of() : events.between(from, to);
        return shown.stream().map(s -> attribute(s, candidates)).toList();
    }

    private Attributed attribute(Slow s, List<JvmEvent> candidates) {
        Map<String, Duration> overlap = new LinkedHashMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        Map<String, JvmEvent> longest = new LinkedHashMap<>();
        for (JvmEvent e : candidates) {
            if (e.overlap(s.start(), s.end()).isZero()) {
                continue;
            }
            if (e.kind().perThread() && e.threadId() != s.threadId() || backendIo(e)) {
                continue;
            }
            String cause = e.kind().label();
            overlap.merge(cause, e.overlap(s.start(), s.end()), Duration::plus);
            count.merge(cause, 1, Integer::sum);
            longest.merge(cause, e, (a, b) -> b.duration().compareTo(a.duration()) > 0 ? b : a);
        }
        List<Cause> causes = new ArrayList<>();
        overlap.forEach((cause, d) -> causes.add(new Cause(cause, d, count.get(cause), longest.get(cause).detail())));
        if (!s.queued().isZero()) {
            causes.add(new Cause("queue_wait", s.queued(), 1, "waited for a place at " + s.backend()));
        }
        causes.sort(Comparator.comparing(Cause::overlap).reversed());
        Duration explained = causes.stream().map(Cause::overlap).reduce(Duration.ZERO, Duration::plus);
        Duration rest = s.gatewayTime().minus(explained);
        return new Attributed(s, List.copyOf(causes), rest.isNegative() ? Duration.ZERO : rest);
    }

    private boolean backendIo(JvmEvent e) {
        return (e.kind() == JvmEvent.Kind.SOCKET_READ || e.kind() == JvmEvent.Kind.SOCKET_WRITE)
                && backendPeers.contains(e.detail());
    }

    /** Each backend's {@code address:port}, by every address its host has now. */
    private static Set<String> peers(Collection<String> urls) {
        Set<String> out = new HashSet<>();
        for (String url : urls) {
            URI uri = URI.create(url);
            int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
            try {
                for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
                    out.add(address.getHostAddress() + ":" + port);
                }
            } catch (UnknownHostException e) {
                out.add(uri.getHost() + ":" + port);
            }
        }
        return out;
    }
}
