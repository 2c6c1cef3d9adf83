package dev.pitwall.gateway.upstream;

import dev.pitwall.gateway.routing.Backend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * One HTTP client per backend (its own connection pool and connect timeout), and the requests
 * the gateway sends them. Requests carry the backend's API key when its variable is set.
 */
public final class UpstreamClients implements AutoCloseable {

    private final Map<String, HttpClient> clients;
    private final Map<String, String> apiKeys;

    public UpstreamClients(List<Backend> backends, Map<String, String> env) {
        this.clients = backends.stream().collect(Collectors.toMap(Backend::name, b -> HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.config().timeouts().connect())
                // The client's internal tasks on virtual threads too: no pool to size.
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build()));
        this.apiKeys = backends.stream()
                .filter(b -> !b.config().apiKeyEnv().isEmpty() && env.get(b.config().apiKeyEnv()) != null)
                .collect(Collectors.toMap(Backend::name, b -> env.get(b.config().apiKeyEnv()), (a, b) -> a));
    }

    public HttpClient client(Backend backend) {
        return clients.get(backend.name());
    }

    /** A JSON POST to {@code path} under the backend's base URL; {@code timeout} bounds the wait for headers. */
    public HttpRequest post(Backend backend, String path, byte[] body, Duration timeout, boolean stream) {
        URI uri = backend.config().endpoint(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        String key = apiKeys.get(backend.name());
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return request.build();
    }

    /** A GET of {@code uri} (health checks, metrics), with the backend's key when it has one. */
    public HttpRequest get(Backend backend, URI uri, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        String key = apiKeys.get(backend.name());
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return request.build();
    }

    @Override
    public void close() {
        clients.values().forEach(HttpClient::close);
    }
}
