package dev.pitwall.gateway.upstream;

import dev.pitwall.gateway.config.BackendConfig;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One HTTP/1.1 client per backend (its own keep-alive connections and connect timeout), and the
 * requests the gateway sends them. Helidon's client does its blocking I/O on the calling virtual
 * thread, with no selector or executor hops between a request and its answer. Requests carry the
 * backend's API key when its variable is set.
 *
 * <p>Every answer must be closed: read to its end, its connection goes back to the pool; closed
 * before that, the connection is closed, which is how the gateway cancels a backend's work.
 */
public final class UpstreamClients implements AutoCloseable {

    /**
     * Idle connections kept per backend at most. As many as requests were in flight at once, so
     * that a steady load opens none: unwatched, an idle connection costs only its socket, and
     * {@link BackendConnections#KEEP_ALIVE} closes those a burst left.
     */
    private static final int MAX_IDLE_CONNECTIONS = 1024;

    private record Client(Http1Client http, BackendConnections connections) {
    }

    private final Map<String, Client> clients;
    private final Map<String, String> apiKeys;

    public UpstreamClients(List<BackendConfig> backends, Map<String, String> env) {
        this.clients = backends.stream().collect(Collectors.toMap(BackendConfig::name, UpstreamClients::client));
        this.apiKeys = backends.stream()
                .filter(b -> !b.apiKeyEnv().isEmpty() && env.get(b.apiKeyEnv()) != null)
                .collect(Collectors.toMap(BackendConfig::name, b -> env.get(b.apiKeyEnv()), (a, b) -> a));
    }

    private static Client client(BackendConfig backend) {
        WebClient web = WebClient.builder()
                .socketOptions(socket -> socket.connectTimeout(backend.timeouts().connect()).tcpNoDelay(true))
                .followRedirects(false)
                // Unbuffered: a request's head and body go out as one write all the same (the
                // client puts them in one buffer of the call's own), and a connection's 4 KiB
                // buffer would be held for as long as it lives, through a whole stream.
                .writeBufferSize(0)
                .build();
        return new Client(web.client(Http1Client.PROTOCOL), new BackendConnections(web,
                URI.create(backend.url()), Math.min(backend.maxInFlight(), MAX_IDLE_CONNECTIONS), System::nanoTime));
    }

    /**
     * A JSON POST to a path under a backend's base URL.
     *
     * @param stream  whether an event stream is asked for
     * @param headers further headers (trace context)
     */
    public record Post(String path, byte[] body, boolean stream, Map<String, String> headers) {
    }

    /** One request as it is sent: where, how, how long each read may wait, and what may cancel it. */
    private record Call(BackendConfig backend, Function<Http1Client, Http1ClientRequest> method, URI uri,
                        Duration readTimeout, Cancellation cancellation,
                        Function<Http1ClientRequest, HttpClientResponse> submit) {
    }

    /**
     * Sends {@code post} and waits for the answer's head; {@code readTimeout} bounds that wait and
     * every later wait for body bytes. Until {@link Cancellation#release()}, {@code cancellation}
     * can end the call. Fails with an unchecked exception when the backend cannot be reached or
     * breaks off before its head.
     */
    public HttpClientResponse post(BackendConfig backend, Post post, Duration readTimeout, Cancellation cancellation) {
        return send(new Call(backend, Http1Client::post, backend.endpoint(post.path()), readTimeout, cancellation,
                request -> {
                    request.header(HeaderValues.CONTENT_TYPE_JSON)
                            .header(HeaderNames.ACCEPT, post.stream() ? "text/event-stream" : "application/json");
                    post.headers().forEach((name, value) -> request.header(HeaderNames.create(name), value));
                    return request.submit(post.body());
                }));
    }

    /** A GET of {@code uri} (health checks, metrics), with the backend's key when it has one. */
    public HttpClientResponse get(BackendConfig backend, URI uri, Duration timeout) {
        return send(new Call(backend, Http1Client::get, uri, timeout, new Cancellation(), Http1ClientRequest::request));
    }

    /**
     * Sends on an idle connection when there is one, else on a new one. A reused connection that
     * fails before the answer's head (neither a timeout nor a cancellation) was most likely closed
     * by the backend just then, its keep-alive timeout passing, before it read the request: the
     * request goes again, once, on a new connection.
     */
    private HttpClientResponse send(Call call) {
        Client client = clients.get(call.backend().name());
        Optional<ClientConnection> idle = client.connections().reuse();
        if (idle.isPresent()) {
            try {
                return send(call, client, idle.get());
            } catch (RuntimeException e) {
                if (call.cancellation().cancelled() || UpstreamErrors.innermost(e) instanceof SocketTimeoutException) {
                    throw e;
                }
            }
        }
        return send(call, client, client.connections().open());
    }

    private HttpClientResponse send(Call call, Client client, ClientConnection connection) {
        call.cancellation().attach(connection);
        Http1ClientRequest request = call.method().apply(client.http()).connection(connection).uri(call.uri())
                .readTimeout(call.readTimeout());
        String key = apiKeys.get(call.backend().name());
        if (key != null) {
            request.header(HeaderNames.AUTHORIZATION, "Bearer " + key);
        }
        try {
            return call.submit().apply(request);
        } catch (RuntimeException e) {
            connection.closeResource(); // it may hold part of an answer no one will read
            throw e;
        }
    }

    /** Closes the connections idle too long to be reused, which a load that ended left open. */
    public void closeExpiredConnections() {
        clients.values().forEach(client -> client.connections().closeExpired());
    }

    @Override
    public void close() {
        clients.values().forEach(client -> client.connections().close());
    }
}
