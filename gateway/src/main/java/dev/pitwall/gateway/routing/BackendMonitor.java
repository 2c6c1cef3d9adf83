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
 * endpoint (a backend that does not answer 2xx is marked down), and for engines that expose
 * load in Prometheus metrics (vLLM, SGLang, TGI) their queue depth, running requests and
 * KV-cache usage, which routing weighs.
 */
public final class BackendMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackendMonitor.class);

    private final List<Backend> backends;
    private final UpstreamClients clients;
    private final Duration interval;
    private final Thread thread;
    private volatile boolean closed;

    public BackendMonitor(List<Backend> backends, UpstreamClients clients, Duration interval) {
        this.backends = backends;
        this.clients = clients;
        this.interval = interval;
        this.thread = backends.isEmpty() ? null : Thread.ofVirtual().name("backend-monitor").start(this::run);
    }

    private void run() {
        while (!closed) {
            for (Backend backend : backends) {
                probe(backend);
            }
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
        boolean up = get(backend, kind.healthPath()) != null;
        if (up != backend.healthy()) {
            LOG.warn("backend {} is {}", backend.name(), up ? "up again" : "down: its health check failed");
        }
        backend.healthy(up);
        if (!up) {
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
