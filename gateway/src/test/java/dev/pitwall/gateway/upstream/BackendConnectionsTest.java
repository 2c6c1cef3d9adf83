package dev.pitwall.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1Client;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Keep-alive connections to a real HTTP server on loopback: reused while fresh, closed once idle too long. */
class BackendConnectionsTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    /** The client port of each request the server answered: one port a connection. */
    private final List<Integer> clientPorts = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private WebClient web;
    private BackendConnections connections;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            clientPorts.add(exchange.getRemoteAddress().getPort());
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        web = WebClient.builder().build();
        connections = new BackendConnections(web, baseUrl(), 4, clock::get);
    }

    @AfterEach
    void stop() {
        connections.close();
        server.stop(0);
    }

    private URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    /** One GET on the connection, read to its end so that it goes back to the pool. */
    private void get(ClientConnection connection) {
        try (HttpClientResponse response = web.client(Http1Client.PROTOCOL).get().connection(connection)
                .uri(baseUrl().resolve("/v1/models")).request()) {
            assertThat(response.status().code()).isEqualTo(200);
            response.entity().as(String.class);
        }
    }

    private void assertClosed(ClientConnection connection) {
        assertThatThrownBy(() -> get(connection)).as("a request on a closed connection").isInstanceOf(RuntimeException.class);
    }

    @Test
    void reusesAConnectionWithinTheKeepAlive() {
        get(connections.open());
        assertThat(connections.idleCount()).isEqualTo(1);
        clock.addAndGet(BackendConnections.KEEP_ALIVE.toNanos() - 1);
        get(connections.reuse().orElseThrow());
        assertThat(clientPorts).hasSize(2);
        assertThat(clientPorts.get(1)).as("the same connection").isEqualTo(clientPorts.get(0));
    }

    @Test
    void opensAFreshOneOnceTheOnlyOneWasIdleTooLong() {
        ClientConnection first = connections.open();
        get(first);
        clock.addAndGet(BackendConnections.KEEP_ALIVE.toNanos());
        assertThat(connections.reuse()).isEmpty();
        assertClosed(first); // not left open for the backend to time out
        get(connections.open());
        assertThat(clientPorts.get(1)).isNotEqualTo(clientPorts.get(0));
    }

    @Test
    void closesWhatABurstLeftIdleOnceTheKeepAlivePasses() {
        ClientConnection a = connections.open();
        ClientConnection b = connections.open();
        get(a);
        get(b);
        assertThat(connections.idleCount()).isEqualTo(2);
        connections.closeExpired();
        assertThat(connections.idleCount()).as("still fresh").isEqualTo(2);
        clock.addAndGet(BackendConnections.KEEP_ALIVE.toNanos());
        connections.closeExpired();
        assertThat(connections.idleCount()).isZero();
        assertClosed(a);
        assertClosed(b);
    }

    @Test
    void keepsNoMoreIdleThanItsLimit() {
        List<ClientConnection> opened = List.of(connections.open(), connections.open(), connections.open(),
                connections.open(), connections.open());
        opened.forEach(this::get);
        assertThat(connections.idleCount()).isEqualTo(4);
        assertClosed(opened.get(4));
    }
}
