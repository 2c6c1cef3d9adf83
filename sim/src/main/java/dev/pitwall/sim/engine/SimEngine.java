package dev.pitwall.sim.engine;

import dev.pitwall.core.http.ApiError;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A simulated vLLM server on a loopback port: a peer over the wire, reached by the gateway
 * exactly as a real engine is. Deterministic for a given profile, seed and request sequence.
 */
public final class SimEngine implements AutoCloseable {

    private final EngineProfile profile;
    private final BatchScheduler scheduler;
    private final WebServer server;
    private final AtomicReference<Faults> faults;

    private SimEngine(EngineProfile profile, BatchScheduler scheduler, WebServer server, AtomicReference<Faults> faults) {
        this.profile = profile;
        this.scheduler = scheduler;
        this.server = server;
        this.faults = faults;
    }

    /**
     * @param host where to listen (127.0.0.1 unless the engine must be reached from elsewhere)
     * @param port 0 for any free port
     */
    public static SimEngine start(EngineProfile profile, long seed, String host, int port) {
        AtomicReference<Faults> faults = new AtomicReference<>(Faults.NONE);
        EngineMetrics metrics = new EngineMetrics(profile.model());
        BatchScheduler scheduler = new BatchScheduler(profile, metrics, faults::get);
        EngineService service = new EngineService(profile, scheduler, metrics, new TextSource(seed), faults,
                Clock.systemUTC(), seed);
        HttpRouting.Builder routing = HttpRouting.builder()
                .register(service)
                .any((req, res) -> ApiError.of(Status.NOT_FOUND_404, "no route for "
                        + req.prologue().method().text() + " " + req.path().path()).send(res));
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .connectionOptions(socket -> socket.tcpNoDelay(true)) // as engines' HTTP servers do
                .shutdownHook(false)
                .featuresDiscoverServices(false)
                .routing(routing)
                .build()
                .start();
        return new SimEngine(profile, scheduler, server, faults);
    }

    public int port() {
        return server.port();
    }

    /** The OpenAI-style base URL, ending in {@code /v1}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port() + "/v1");
    }

    public EngineProfile profile() {
        return profile;
    }

    /** Injects faults directly (tests and the demo); over HTTP it is {@code POST /admin/faults}. */
    public void faults(Faults set) {
        faults.set(set);
    }

    @Override
    public void close() {
        server.stop();
        scheduler.close();
    }
}
