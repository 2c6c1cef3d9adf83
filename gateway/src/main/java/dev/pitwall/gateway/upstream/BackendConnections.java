package dev.pitwall.gateway.upstream;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.api.WebClientConfig;
import io.helidon.webclient.http1.Http1Client;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.function.LongSupplier;

/**
 * A backend's keep-alive connections. The gateway keeps them itself, rather than leaving them to
 * the client's pool, so that each call knows its connection and can be cancelled by closing it
 * (see {@link Cancellation}).
 *
 * <p>An idle connection is not watched: Helidon's idle mode reads each one on a virtual thread of
 * its own, started anew for every idle spell, which cost a tenth of the gateway's CPU per request.
 * Instead a connection is reused only while it has been idle for less than {@link #KEEP_ALIVE}, so
 * that the backend has most likely not closed it yet; when it has all the same, the request goes
 * again on a new connection (see {@link UpstreamClients}).
 */
final class BackendConnections {

    /**
     * How long a connection is kept idle: under uvicorn's default keep-alive timeout of 5 s, which
     * vLLM's and SGLang's OpenAI servers run with, so the backend rarely closes one first.
     */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(4);

    private static final Tls NO_TLS = Tls.builder().enabled(false).build();

    private record Idle(ClientConnection connection, long sinceNanos) {
    }

    private final WebClient client;
    private final ConnectionKey key;
    private final LinkedBlockingDeque<Idle> idle;
    private final LongSupplier nanoTime;

    /**
     * @param maxIdle  idle connections kept at most; more are opened when needed and closed after
     * @param nanoTime the clock idle spells are measured with
     */
    BackendConnections(WebClient client, URI baseUrl, int maxIdle, LongSupplier nanoTime) {
        this.client = client;
        this.nanoTime = nanoTime;
        WebClientConfig config = client.prototype();
        this.key = ConnectionKey.create(baseUrl.getScheme(), baseUrl.getHost(), port(baseUrl),
                "https".equals(baseUrl.getScheme()) ? config.tls() : NO_TLS, config.dnsResolver(),
                config.dnsAddressLookup(), config.proxy());
        this.idle = new LinkedBlockingDeque<>(maxIdle);
    }

    /** The most recently used idle connection, unless it has been idle too long (then none is). */
    Optional<ClientConnection> reuse() {
        Idle latest = idle.pollFirst();
        if (latest == null) {
            return Optional.empty();
        }
        if (expired(latest, nanoTime.getAsLong()) || !latest.connection().isConnected()) {
            latest.connection().closeResource();
            closeExpired(); // the others have waited longer still
            return Optional.empty();
        }
        return Optional.of(latest.connection());
    }

    /** A new connection; fails with an unchecked exception when the backend cannot be reached. */
    ClientConnection open() {
        return TcpClientConnection.create(client, key, List.of(Http1Client.PROTOCOL_ID), this::release, closed -> { })
                .connect();
    }

    /** Closes the connections idle for longer than {@link #KEEP_ALIVE}; the oldest wait at the end. */
    void closeExpired() {
        long now = nanoTime.getAsLong();
        Idle oldest;
        while ((oldest = idle.peekLast()) != null && expired(oldest, now)) {
            if (idle.removeLastOccurrence(oldest)) {
                oldest.connection().closeResource();
            }
        }
    }

    /** Idle connections now. */
    int idleCount() {
        return idle.size();
    }

    /** Called by the client when an answer was read to its end; false closes the connection. */
    private boolean release(ClientConnection connection) {
        if (!connection.isConnected()) {
            return false;
        }
        closeExpired();
        // Most recent first: a steady load keeps reusing the same few connections.
        return idle.offerFirst(new Idle(connection, nanoTime.getAsLong()));
    }

    void close() {
        Idle spell;
        while ((spell = idle.pollFirst()) != null) {
            spell.connection().closeResource();
        }
    }

    private static boolean expired(Idle spell, long now) {
        return now - spell.sinceNanos() >= KEEP_ALIVE.toNanos();
    }

    private static int port(URI url) {
        return url.getPort() >= 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    }
}
