package dev.pitwall.gateway.upstream;

import dev.pitwall.gateway.routing.Backend;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One HTTP/1.1 client per backend (its own connection pool and connect timeout), and the
 * requests the gateway sends them. Helidon's client does its blocking I/O on the calling virtual
 * thread, with no selector or executor hops between a request and its answer. Requests carry the
 * backend's API key when its variable is set.
 *
 * <p>Every answer must be closed: read to its end, its connection goes back to the pool; closed
 * before that, the connection is closed, which is how the gateway cancels a backend's work.
 */
public final class UpstreamClients implements AutoCloseable {

    /**
     * Idle connections kept per backend at most; more are opened when needed and closed after.
     * Small on purpose: the client watches every idle connection for the server closing it (a
     * virtual thread waking ten times a second each), and takes them first in, first out, so a
     * pool left large after a burst would keep all of them busy for nothing.
     */
    private static final int MAX_IDLE_CONNECTIONS = 16;

    private final Map<String, Http1Client> clients;
    private final Map<String, String> apiKeys;

    public UpstreamClients(List<Backend> backends, Map<String, String> env) {
        this.clients = backends.stream().collect(Collectors.toMap(Backend::name, b -> Http1Client.builder()
                .socketOptions(socket -> socket.connectTimeout(b.config().timeouts().connect()).tcpNoDelay(true))
                .shareConnectionCache(false)
                .connectionCacheSize(Math.min(b.config().maxInFlight(), MAX_IDLE_CONNECTIONS))
                .followRedirects(false)
                .build()));
        this.apiKeys = backends.stream()
                .filter(b -> !b.config().apiKeyEnv().isEmpty() && env.get(b.config().apiKeyEnv()) != null)
                .collect(Collectors.toMap(Backend::name, b -> env.get(b.config().apiKeyEnv()), (a, b) -> a));
    }

    /**
     * Sends a JSON POST to {@code path} under the backend's base URL, with {@code headers} too
     * (trace context), and waits for the answer's head; {@code readTimeout} bounds that wait and
     * every later wait for body bytes. Fails with an unchecked exception when the backend cannot
     * be reached or breaks off before its head.
     */
    public HttpClientResponse post(Backend backend, String path, byte[] body, Duration readTimeout, boolean stream,
                                   Map<String, String> headers) {
        Http1ClientRequest request = request(backend, clients.get(backend.name()).post(), backend.config().endpoint(path),
                readTimeout)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .header(HeaderNames.ACCEPT, stream ? "text/event-stream" : "application/json");
        headers.forEach((name, value) -> request.header(HeaderNames.create(name), value));
        return request.submit(body);
    }

    /** A GET of {@code uri} (health checks, metrics), with the backend's key when it has one. */
    public HttpClientResponse get(Backend backend, URI uri, Duration timeout) {
        return request(backend, clients.get(backend.name()).get(), uri, timeout).request();
    }

    private Http1ClientRequest request(Backend backend, Http1ClientRequest request, URI uri, Duration readTimeout) {
        request.uri(uri).readTimeout(readTimeout);
        String key = apiKeys.get(backend.name());
        if (key != null) {
            request.header(HeaderNames.AUTHORIZATION, "Bearer " + key);
        }
        return request;
    }

    @Override
    public void close() {
        clients.values().forEach(Http1Client::closeResource);
    }
}
