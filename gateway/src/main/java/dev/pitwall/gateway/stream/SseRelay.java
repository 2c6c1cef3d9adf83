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
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Relays a backend's event stream to the client as the events come, each written and flushed
 * at once (never coalesced). While the backend is silent the client gets a comment line every
 * {@link #HEARTBEAT}, which also shows soon whether it is still there. The relay keeps the
 * stream's deadlines: the first token, the longest silence between tokens, the whole answer.
 * Before the first byte has gone to the client a failure lets the next backend try; after it,
 * the client gets a final error event in OpenAI's shape and the stream ends cleanly.
 */
public final class SseRelay {

    /** How long the client may see nothing; also how soon a client that left is noticed. */
    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final byte[] HEARTBEAT_EVENT = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    /** One relay: where it writes, what it observes, and its progress (the client's stream once opened, the next event's deadline). */
    private static final class Relayed {
        final UpstreamCall call;
        final ServerResponse res;
        final RequestObservation observation;
        final boolean relayUsage;
        OutputStream out;
        boolean complete;
        long eventDeadline;

        Relayed(UpstreamCall call, ServerResponse res, RequestObservation observation, boolean relayUsage) {
            this.call = call;
            this.res = res;
            this.observation = observation;
            this.relayUsage = relayUsage;
        }
    }

    private SseRelay() {
    }

    /**
     * @param upstream   the backend's answer, its head read
     * @param relayUsage whether the client asked for the usage chunk; the gateway always asks the
     *                   backend for it (to count tokens) and drops it when the client did not
     */
    public static Attempt relay(UpstreamCall call, HttpClientResponse upstream, boolean relayUsage, ServerResponse res,
                                RequestObservation observation) {
        BackendTimeouts timeouts = call.backend().config().timeouts();
        long start = call.startNanos();
        long totalDeadline = start + timeouts.total().toNanos();
        BlockingQueue<UpstreamEvent> events = SseReader.start(upstream.inputStream(), call.backend().name());
        Relayed relayed = new Relayed(call, res, observation, relayUsage);
        relayed.eventDeadline = start + timeouts.firstToken().toNanos();
        try {
            while (true) {
                long now = System.nanoTime();
                long deadline = Math.min(relayed.eventDeadline, totalDeadline);
                if (now >= deadline) {
                    String why = now >= totalDeadline ? "the answer took longer than " + seconds(timeouts.total())
                            : observation.timeToFirstToken() == null ? "no first token within " + seconds(timeouts.firstToken())
                            : "no token for " + seconds(timeouts.idle());
                    return fail(relayed, why, Outcome.TIMEOUT, "upstream_timeout");
                }
                UpstreamEvent event = events.poll(Math.min(deadline - now, HEARTBEAT.toNanos()), TimeUnit.NANOSECONDS);
                observation.waitedOnBackend(System.nanoTime() - now);
                Optional<Attempt> over = event == null ? heartbeat(relayed) : next(event, relayed);
                if (over.isPresent()) {
                    return over.get();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Attempt.served(Outcome.CLIENT_CANCELLED);
        } catch (IOException | UncheckedIOException e) {
            // The client went away; closing the upstream connection (below) cancels the backend's work.
            return Attempt.served(Outcome.CLIENT_CANCELLED);
        } finally {
            // A finished answer is left to the reader, which reads the response to its end so that
            // the connection goes back to the pool; anything else closes it, cancelling the request.
            if (!relayed.complete) {
                upstream.close();
            }
            if (relayed.out != null) {
                closeQuietly(relayed.out);
            }
        }
    }

    /** The backend is silent: tell the client we are here (a slow first token opens its stream). */
    private static Optional<Attempt> heartbeat(Relayed relayed) throws IOException {
        OutputStream out = open(relayed);
        out.write(HEARTBEAT_EVENT);
        out.flush();
        return Optional.empty();
    }

    /** Relays one event; the attempt when it ended the stream. */
    private static Optional<Attempt> next(UpstreamEvent event, Relayed relayed) throws IOException {
        RequestObservation observation = relayed.observation;
        return switch (event) {
            case UpstreamEvent.Data data when data.data().equals("[DONE]") -> {
                relayed.complete = true;
                write(open(relayed), data.data());
                yield Optional.of(Attempt.served(Outcome.SUCCESS));
            }
            case UpstreamEvent.Data data -> {
                Optional<ObjectNode> chunk = Json.object(data.data());
                if (chunk.isEmpty()) {
                    yield Optional.of(fail(relayed, "sent an unreadable event", Outcome.UPSTREAM_ERROR,
                            "upstream_invalid"));
                }
                boolean usageOnly = UsageMeter.record(chunk.get(), observation) && chunk.get().path("choices").isEmpty();
                if (UsageMeter.carriesOutput(chunk.get())) {
                    if (observation.timeToFirstToken() == null) {
                        relayed.call.trace().firstToken();
                    }
                    observation.token(System.nanoTime());
                }
                relayed.call.output().addChunk(chunk.get());
                OutputStream out = open(relayed);
                if (relayed.relayUsage || !usageOnly) {
                    boolean stripped = relayed.call.stripLogprobs() && OutputSample.strip(chunk.get());
                    write(out, stripped ? chunk.get().toString() : data.data());
                }
                // An event before the first token (the role's, which some engines send at once) leaves
                // the first token's deadline as it was: the prefill may take longer than a gap between tokens.
                if (observation.timeToFirstToken() != null) {
                    relayed.eventDeadline = System.nanoTime() + relayed.call.backend().config().timeouts().idle().toNanos();
                }
                yield Optional.empty();
            }
            case UpstreamEvent.Ended ended -> Optional.of(fail(relayed, "ended the stream before it finished",
                    Outcome.UPSTREAM_ERROR, "upstream_incomplete"));
            case UpstreamEvent.Failed failed -> Optional.of(fail(relayed, "broke off the stream: "
                    + UpstreamErrors.describe(UpstreamErrors.innermost(failed.cause())), Outcome.UPSTREAM_ERROR,
                    "upstream_incomplete"));
        };
    }

    /** Before the first byte: let the next backend try. After it: an error event ends the stream. */
    private static Attempt fail(Relayed relayed, String why, Outcome how, String code) throws IOException {
        if (relayed.out == null) {
            return Attempt.failed(why);
        }
        ApiError error = ApiError.ofParam(Status.BAD_GATEWAY_502, "backend " + relayed.call.backend().name() + " " + why,
                null, code);
        write(relayed.out, error.toJson().toString());
        return Attempt.served(how);
    }

    /** The client's stream, opened with the answer's head on first use. */
    private static OutputStream open(Relayed relayed) {
        if (relayed.out == null) {
            relayed.res.status(Status.OK_200);
            relayed.res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
            relayed.res.header(NoCache.HEADER);
            relayed.res.header(Forwarder.BACKEND_HEADER, relayed.call.backend().name());
            relayed.out = relayed.res.outputStream();
        }
        return relayed.out;
    }

    private static void write(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException | UncheckedIOException e) {
            // the client is gone; nothing left to tell it
        }
    }
}
