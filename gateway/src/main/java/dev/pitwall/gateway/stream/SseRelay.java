package dev.pitwall.gateway.stream;

import static dev.pitwall.gateway.upstream.UpstreamErrors.seconds;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.NoCache;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.breaker.OutputSample;
import dev.pitwall.gateway.config.BackendTimeouts;
import dev.pitwall.gateway.forward.Attempt;
import dev.pitwall.gateway.forward.Forwarder;
import dev.pitwall.gateway.forward.UpstreamCall;
import dev.pitwall.gateway.sli.Outcome;
import dev.pitwall.gateway.sli.RequestObservation;
import dev.pitwall.gateway.sli.UsageMeter;
import dev.pitwall.gateway.upstream.UpstreamErrors;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Relays a backend's event stream to the client as the events come, each written and flushed
 * at once (never coalesced), on the request's thread, which blocks reading the backend. The
 * {@link StreamWatch} looks after the rest from one thread for every stream: while the backend is
 * silent the client gets a comment line every {@link #HEARTBEAT} (which also shows soon whether
 * it is still there), and a deadline that passes (the first token, the longest silence between
 * tokens, the whole answer) closes the backend's connection, which ends the relay's read.
 * Before the first byte has gone to the client a failure lets the next backend try; after it,
 * the client gets a final error event in OpenAI's shape and the stream ends cleanly.
 */
public final class SseRelay {

    /** How long the client may see nothing; also how soon a client that left is noticed. */
    static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final byte[] HEARTBEAT_EVENT = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    /**
     * One relay: where it writes, what it observes, and its progress. The watch's heartbeats write
     * from another thread, so every write to the client, and the client's stream itself, is under
     * {@code writes}; what the watch reads of the progress is volatile.
     */
    static final class Relayed {
        final UpstreamCall call;
        final ServerResponse res;
        final RequestObservation observation;
        final boolean relayUsage;
        final long totalDeadline;
        private final ReentrantLock writes = new ReentrantLock();
        private final AtomicBoolean heartbeatDue = new AtomicBoolean();
        /** Guarded by {@code writes}. */
        private OutputStream out;
        /** Guarded by {@code writes}: the relay is over, nothing more goes to the client from the watch. */
        private boolean over;
        private volatile long eventDeadline;
        private volatile long lastWrite;
        /** The watch closed the backend's connection: a deadline passed. */
        private volatile boolean expired;
        /** A heartbeat could not be written: the client left. */
        private volatile boolean clientLeft;
        /** The request's thread only. */
        boolean complete;

        Relayed(UpstreamCall call, ServerResponse res, RequestObservation observation, boolean relayUsage) {
            this.call = call;
            this.res = res;
            this.observation = observation;
            this.relayUsage = relayUsage;
            BackendTimeouts timeouts = call.backend().config().timeouts();
            this.totalDeadline = call.startNanos() + timeouts.total().toNanos();
            this.eventDeadline = call.startNanos() + timeouts.firstToken().toNanos();
            this.lastWrite = call.startNanos();
        }

        /**
         * The watch's look at this stream: a deadline passed closes the backend's connection; a
         * silence of a heartbeat's length gets one written, on a virtual thread of its own (a
         * client that does not read could block it, and must not hold up the watch).
         */
        void look(long now, Executor heartbeats) {
            if (expired || clientLeft) {
                return;
            }
            if (now >= Math.min(eventDeadline, totalDeadline)) {
                expired = true;
                call.cancellation().closeCall();
            } else if (now - lastWrite >= HEARTBEAT.toNanos() && heartbeatDue.compareAndSet(false, true)) {
                heartbeats.execute(this::heartbeat);
            }
        }

        /** The backend is silent: tell the client we are here (a slow first token opens its stream). */
        private void heartbeat() {
            try {
                // Held: an event is being written, and the client is not left waiting.
                if (writes.tryLock()) {
                    try {
                        if (!over) {
                            write(HEARTBEAT_EVENT);
                        }
                    } finally {
                        writes.unlock();
                    }
                }
            } catch (IOException e) {
                clientLeft = true;
                call.cancellation().cancel(); // wakes the relay's read; no other backend is tried for a client gone
            } finally {
                heartbeatDue.set(false);
            }
        }

        /** Writes to the client's stream, opened with the answer's head on first use. */
        void write(byte[] bytes) throws IOException {
            writes.lock();
            try {
                if (out == null) {
                    res.status(Status.OK_200);
                    res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
                    res.header(NoCache.HEADER);
                    res.header(Forwarder.BACKEND_HEADER, call.backend().name());
                    out = res.outputStream();
                }
                out.write(bytes);
                out.flush();
                lastWrite = System.nanoTime();
            } catch (UncheckedIOException | CloseConnectionException e) {
                // How Helidon's server says the client's connection broke.
                throw new IOException("the client's connection broke", e);
            } finally {
                writes.unlock();
            }
        }

        void writeEvent(String data) throws IOException {
            write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Ends the relay when nothing has gone to the client yet, so that no heartbeat opens its
         * stream now: true when so, and another backend may be tried.
         */
        boolean endUnopened() {
            writes.lock();
            try {
                over |= out == null;
                return out == null;
            } finally {
                writes.unlock();
            }
        }

        /** Ends the client's stream; the watch writes nothing more. */
        void end() {
            writes.lock();
            try {
                over = true;
                if (out != null) {
                    out.close();
                }
            } catch (IOException | RuntimeException e) {
                // the client is gone; nothing left to tell it
            } finally {
                writes.unlock();
            }
        }

        /** The deadline that passed, in words, or null when none has. */
        String deadlinePassed(long now) {
            BackendTimeouts timeouts = call.backend().config().timeouts();
            if (now >= totalDeadline) {
                return "the answer took longer than " + seconds(timeouts.total());
            }
            if (now < eventDeadline) {
                return null;
            }
            return observation.timeToFirstToken() == null ? "no first token within " + seconds(timeouts.firstToken())
                    : "no token for " + seconds(timeouts.idle());
        }
    }

    private SseRelay() {
    }

    /**
     * @param upstream   the backend's answer, its head read, its connection in the call's cancellation
     * @param relayUsage whether the client asked for the usage chunk; the gateway always asks the
     *                   backend for it (to count tokens) and drops it when the client did not
     */
    public static Attempt relay(UpstreamCall call, HttpClientResponse upstream, boolean relayUsage, ServerResponse res,
                                RequestObservation observation, StreamWatch watch) {
        SseReader events = new SseReader(upstream.inputStream());
        Relayed relayed = new Relayed(call, res, observation, relayUsage);
        watch.add(relayed);
        try {
            while (true) {
                long waiting = System.nanoTime();
                String data;
                try {
                    data = events.next();
                } catch (IOException | RuntimeException e) {
                    // RuntimeException too: the HTTP client reports a broken or closed connection unchecked.
                    return broken(relayed, e);
                } finally {
                    observation.waitedOnBackend(System.nanoTime() - waiting);
                }
                Optional<Attempt> over = data == null
                        ? Optional.of(fail(relayed, "ended the stream before it finished", Outcome.UPSTREAM_ERROR,
                                "upstream_incomplete"))
                        : next(data, relayed);
                if (over.isPresent()) {
                    return over.get();
                }
            }
        } catch (IOException e) {
            // The client went away; closing the upstream connection (below) cancels the backend's work.
            return Attempt.served(Outcome.CLIENT_CANCELLED);
        } finally {
            watch.remove(relayed);
            // Released first: a connection read to its end goes back to the pool, where the
            // watch must not close it.
            call.cancellation().release();
            relayed.end();
            if (relayed.complete) {
                drain(events);
            }
            // Unless read to its end, closing the answer closes its connection, cancelling the request.
            upstream.close();
        }
    }

    /** The read failed: the watch closed the connection at a deadline or for a client gone, or the backend broke off. */
    private static Attempt broken(Relayed relayed, Exception e) throws IOException {
        if (relayed.clientLeft) {
            return Attempt.served(Outcome.CLIENT_CANCELLED);
        }
        String deadline = relayed.deadlinePassed(System.nanoTime());
        if (deadline != null) {
            return fail(relayed, deadline, Outcome.TIMEOUT, "upstream_timeout");
        }
        return fail(relayed, "broke off the stream: " + UpstreamErrors.describe(UpstreamErrors.innermost(e)),
                Outcome.UPSTREAM_ERROR, "upstream_incomplete");
    }

    /** Reads what the backend sends after {@code [DONE]}, to the stream's end, so that its connection can be kept. */
    private static void drain(SseReader events) {
        try {
            while (events.next() != null) {
                // nothing after [DONE] is the client's
            }
        } catch (IOException | RuntimeException e) {
            // the connection is closed with the answer
        }
    }

    /** Relays one event; the attempt when it ended the stream. */
    private static Optional<Attempt> next(String data, Relayed relayed) throws IOException {
        RequestObservation observation = relayed.observation;
        if (data.equals("[DONE]")) {
            relayed.complete = true;
            relayed.writeEvent(data);
            return Optional.of(Attempt.served(Outcome.SUCCESS));
        }
        Optional<ObjectNode> chunk = Json.object(data);
        if (chunk.isEmpty()) {
            return Optional.of(fail(relayed, "sent an unreadable event", Outcome.UPSTREAM_ERROR, "upstream_invalid"));
        }
        boolean usageOnly = UsageMeter.record(chunk.get(), observation) && chunk.get().path("choices").isEmpty();
        if (UsageMeter.carriesOutput(chunk.get())) {
            if (observation.timeToFirstToken() == null) {
                relayed.call.trace().firstToken();
            }
            observation.token(System.nanoTime());
        }
        relayed.call.output().addChunk(chunk.get());
        if (relayed.relayUsage || !usageOnly) {
            boolean stripped = relayed.call.stripLogprobs() && OutputSample.strip(chunk.get());
            relayed.writeEvent(stripped ? chunk.get().toString() : data);
        }
        // An event before the first token (the role's, which some engines send at once) leaves
        // the first token's deadline as it was: the prefill may take longer than a gap between tokens.
        if (observation.timeToFirstToken() != null) {
            relayed.eventDeadline = System.nanoTime() + relayed.call.backend().config().timeouts().idle().toNanos();
        }
        return Optional.empty();
    }

    /** Before the first byte: let the next backend try. After it: an error event ends the stream. */
    private static Attempt fail(Relayed relayed, String why, Outcome how, String code) throws IOException {
        if (relayed.endUnopened()) {
            return Attempt.failed(why);
        }
        ApiError error = ApiError.ofParam(Status.BAD_GATEWAY_502, "backend " + relayed.call.backend().name() + " " + why,
                null, code);
        relayed.writeEvent(error.toJson().toString());
        return Attempt.served(how);
    }
}
