package dev.pitwall.gateway.upstream;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.api.WebClientConfig;
import io.helidon.webclient.http1.Http1Client;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * A backend's keep-alive connections. The gateway keeps them itself, rather than leaving them to
 * the client's pool, so that each call knows its connection and can be cancelled by closing it
 * (see {@link Cancellation}).
 */
final class BackendConnections {

    private static final Tls NO_TLS = Tls.builder().enabled(false).build();

    private final WebClient client;
    private final ConnectionKey key;
    private final LinkedBlockingDeque<ClientConnection> idle;

    /**
     * @param maxIdle idle connections kept at most; more are opened when needed and closed after.
     *                The client watches each idle one for the server closing it (a virtual thread
     *                waking ten times a second), so a pool left large after a burst costs CPU.
     */
    BackendConnections(WebClient client, URI baseUrl, int maxIdle) {
        this.client = client;
        WebClientConfig config = client.prototype();
        this.key = ConnectionKey.create(baseUrl.getScheme(), baseUrl.getHost(), port(baseUrl),
                "https".equals(baseUrl.getScheme()) ? config.tls() : NO_TLS, config.dnsResolver(),
                config.dnsAddressLookup(), config.proxy());
        this.idle = new LinkedBlockingDeque<>(maxIdle);
    }

    /** The most recently used idle connection still open, if any. */
    Optional<ClientConnection> reuse() {
        ClientConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            if (connection.isConnected()) {
                return Optional.of(connection);
            }
            connection.closeResource(); // the server closed it while it was idle
        }
        return Optional.empty();
    }

    /** A new connection; fails with an unchecked exception when the backend cannot be reached. */
    ClientConnection open() {
        return TcpClientConnection.create(client, key, List.of(Http1Client.PROTOCOL_ID), this::release, closed -> { })
                .connect();
    }

    /** Called by the client when an answer was read to its end; false closes the connection. */
    private boolean release(ClientConnection connection) {
        if (!connection.isConnected()) {
            return false;
        }
        // Before it is offered: another thread may take it at once, and must find it watched.
        connection.helidonSocket().idle();
        // Most recent first: a steady load keeps reusing the same few connections.
        return idle.offerFirst(connection);
    }

    void close() {
        ClientConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            connection.closeResource();
        }
    }

    private static int port(URI url) {
        return url.getPort() >= 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    }
}
