package dev.pitwall.gateway.routing;

import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.upstream.UpstreamClients;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every backend on a fixed interval, on a virtual thread of its own: its health
 * endpoint (a backend whose last {@code downAfterProbes} checks all failed is marked down, so one
 * slow answer on a busy machine does not flap it; the first good one marks it up), and for engines that expose
 * load in Prometheus metrics (vLLM, SGLang, TGI) their queue depth, running requests and
 * KV-cache usage, which routing weighs.
 */
public final class BackendMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackendMonitor.class);

    private final List<Backend> backends;
    private final UpstreamClients clients;
    private final Duration interval;
    private final int downAfterProbes;
    /** Failed health checks in a row, per backend; probes of one backend never overlap. */
    private final Map<Backend, Integer> failedProbes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    public BackendMonitor(List<Backend> backends, UpstreamClients clients, Duration interval, int downAfterProbes) {
        this.backends = backends;
        this.clients = clients;
        this.interval = interval;
        this.downAfterProbes = downAfterProbes;
        this.thread = backends.isEmpty() ? null : Thread.ofVirtual().name("backend-monitor").start(this::run);
    }

    private void run() {
        while (!closed) {
            for (Backend backend : backends) {
                probe(backend);
            }
            clients.closeExpiredConnections(); // when no request comes to do it
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round for one backend; public for tests that must not wait for the interval. */
    public void probe(Backend backend) {
        BackendKind kind = backend.config().kind();
        boolean answered = get(backend, kind.healthPath()) != null;
        int failed = answered ? 0 : failedProbes.merge(backend, 1, Integer::sum);
        if (answered) {
            failedProbes.remove(backend);
        }
        boolean up = answered || (backend.healthy() && failed < downAfterProbes);
        if (up != backend.healthy()) {
            LOG.warn("backend {} is {}", backend.name(), up ? "up again"
                    : "down: its last " + failed + " health checks failed");
        }
        backend.healthy(up);
        if (!answered) {
            return;
        }
        kind.load().ifPresent(series -> {
            String text = get(backend, series.path());
            if (text == null) {
                return;
            }
            Map<String, Double> sums = PrometheusText.sums(text);
            Double waiting = sums.get(series.waiting());
            Double running = sums.get(series.running());
            if (waiting == null && running == null) {
                return;
            }
            Double kv = series.kvUsage() == null ? null : sums.get(series.kvUsage());
            if (kv == null && series.kvUsageOlderName() != null) {
                kv = sums.get(series.kvUsageOlderName());
            }
            backend.engineLoad(new Backend.EngineLoad(waiting == null ? 0 : waiting, running == null ? 0 : running,
                    kv == null ? 0 : kv, System.nanoTime()));
        });
    }

    /** The body of a 2xx answer from {@code path} under the backend's root, or null. */
    private String get(Backend backend, String path) {
        try (HttpClientResponse response = clients.get(backend.config(), backend.config().rootEndpoint(path), probeTimeout(backend))) {
            if (response.status().family() != Status.Family.SUCCESSFUL) {
                return null;
            }
            return response.entity().hasEntity() ? response.as(String.class) : "";
        } catch (RuntimeException unreachable) {
            // Refused, timed out or broken off: the probe failed, which is what it is there to find.
            return null;
        }
    }

    private Duration probeTimeout(Backend backend) {
        Duration connect = backend.config().timeouts().connect();
        return connect.compareTo(interval) < 0 ? interval : connect;
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
