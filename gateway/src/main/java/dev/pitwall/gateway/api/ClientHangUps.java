package dev.pitwall.gateway.api;

import dev.pitwall.gateway.upstream.Cancellation;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.socket.NioSocket;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a client that closes its connection while its request waits on a backend, so that the
 * backend's work is cancelled then, not when its answer comes (a non-streamed answer can take
 * minutes). A streamed answer needs no such watch once it has begun: its writes fail.
 *
 * <p>Helidon's server cannot tell this (its NIO socket's {@code idle()} does nothing; see
 * helidon-io/helidon#10834), so each watched connection is looked at every
 * {@value #INTERVAL_MS} ms with a read that does not block: end of stream or a reset means the
 * client left. The read is Helidon's own (the connection's reader pulling from its socket, whose
 * channel is switched to not wait for it), so bytes it finds stay for Helidon's next request. It
 * only happens while the request's thread waits on a backend (see
 * {@link Cancellation#cancelIfDuringCall}), the one time no one else uses the connection.
 */
public final class ClientHangUps implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClientHangUps.class);
    /** Also how long a request runs before it is first looked at: most answers come before. */
    private static final long INTERVAL_MS = 250;

    /** Helidon hands a request to the thread that read it: the listener leaves the connection here. */
    private final ThreadLocal<ConnectionContext> connection = new ThreadLocal<>();
    private final ScheduledThreadPoolExecutor looks = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().name("pitwall-client-hang-ups").daemon().factory());

    public ClientHangUps() {
        // Most watches end before their first look: drop them from the queue then.
        looks.setRemoveOnCancelPolicy(true);
    }

    /** Register on the server's HTTP/1 protocol as a receive listener; without it nothing is watched. */
    public Http1ConnectionListener connectionListener() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                connection.set(ctx);
            }
        };
    }

    /** Ends a watch. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Watches the connection of the request being handled on this thread until closed, and
     * cancels the request's calls when its client leaves.
     */
    Watch watch(Cancellation cancellation) {
        Optional<Connection> client = Connection.of(connection.get());
        if (client.isEmpty()) {
            return () -> { };
        }
        ScheduledFuture<?> looking = looks.scheduleWithFixedDelay(
                () -> cancellation.cancelIfDuringCall(client.get()::clientLeft), INTERVAL_MS, INTERVAL_MS,
                TimeUnit.MILLISECONDS);
        return () -> looking.cancel(false);
    }

    @Override
    public void close() {
        looks.shutdownNow();
    }

    /** A client's connection: the channel inside Helidon's plain NIO socket, and its reader. */
    private record Connection(SocketChannel channel, DataReader reader) {

        private static final Field CHANNEL = channelField();

        static Optional<Connection> of(ConnectionContext ctx) {
            // TLS sockets read through buffers of their own: they are not looked into.
            if (ctx == null || ctx.serverSocket().getClass() != NioSocket.class || CHANNEL == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Connection((SocketChannel) CHANNEL.get(ctx.serverSocket()), ctx.dataReader()));
            } catch (IllegalAccessException e) {
                return Optional.empty();
            }
        }

        /** True when the client closed or reset its connection. */
        boolean clientLeft() {
            try {
                channel.configureBlocking(false);
                try {
                    // Helidon's own read, without waiting: bytes it finds stay in the reader for Helidon.
                    reader.pullData();
                    return false; // it sent more: it is there
                } catch (DataReader.InsufficientDataAvailableException e) {
                    return true; // end of stream
                } catch (IllegalStateException e) {
                    return false; // nothing to read (the socket says so this way when it does not wait)
                } catch (RuntimeException e) {
                    return true; // reset: the server's reader wraps the socket's error in its own
                } finally {
                    channel.configureBlocking(true);
                }
            } catch (IOException e) {
                return true; // closed under us
            }
        }

        private static Field channelField() {
            try {
                Field field = NioSocket.class.getDeclaredField("delegate");
                field.setAccessible(true);
                return field;
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("This Helidon version's NioSocket has no channel field: clients that leave while waiting on a "
                        + "non-streamed answer are noticed only when it comes");
                return null;
            }
        }
    }
}
