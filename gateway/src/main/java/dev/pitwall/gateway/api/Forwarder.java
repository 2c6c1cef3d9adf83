package dev.pitwall.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.config.BackendTimeouts;
import dev.pitwall.gateway.routing.Route;
import dev.pitwall.gateway.sli.Outcome;
import dev.pitwall.gateway.sli.RequestObservation;
import dev.pitwall.gateway.sli.RequestTrace;
import dev.pitwall.gateway.upstream.Cancellation;
import dev.pitwall.gateway.upstream.SseReader;
import dev.pitwall.gateway.upstream.UpstreamClients;
import dev.pitwall.gateway.upstream.UpstreamErrors;
import dev.pitwall.gateway.upstream.UpstreamEvent;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Sends one request to one backend and relays the answer. Until the first byte has gone to the
 * client, any failure (refused connection, 5xx or 429, timeout, broken stream) is reported back
 * so the next backend can be tried; after it, the client gets a final SSE error event in
 * OpenAI's shape and the stream ends cleanly. A client that goes away closes the upstream
 * connection, which cancels the request on the backend.
 */
final class Forwarder {

    /** How long the client may see nothing; also how soon a client that left is noticed. */
    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final byte[] HEARTBEAT_EVENT = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    private static final String BACKEND_HEADER = "X-Pitwall-Backend";

    /** Whether the client was answered and how; if not, why this backend failed. */
    record Attempt(boolean served, Outcome outcome, String failure) {
        static Attempt served(Outcome how) {
            return new Attempt(true, how, null);
        }

        static Attempt failed(String why) {
            return new Attempt(false, null, why);
        }
    }

    private final UpstreamClients clients;

    Forwarder(UpstreamClients clients) {
        this.clients = clients;
    }

    /** The backend's answer (its head read, its body not yet), or why there was none. */
    private record Sent(HttpClientResponse response, String failure) {
    }

    /** Sends the request; {@code readTimeout} bounds the wait for the answer's head and for each later read. */
    private Sent send(Route route, String path, ObjectNode body, Duration readTimeout, boolean stream, RequestTrace trace,
                      Cancellation cancellation) throws IOException {
        byte[] json = Json.mapper().writeValueAsBytes(body);
        try {
            return new Sent(clients.post(route.backend().config(), path, json, readTimeout, stream, trace.upstreamHeaders(),
                    cancellation), null);
        } catch (RuntimeException e) {
            // Refused or dropped connections, timeouts, a garbled head: the client's unchecked exceptions.
            return new Sent(null, failure(e, readTimeout));
        }
    }

    /**
     * @param cancellation ends the call when the client leaves before the answer is in; the
     *                     client is then not answered
     */
    Attempt complete(Route route, String path, ObjectNode body, ServerResponse res, RequestObservation observation,
                     RequestTrace trace, Cancellation cancellation) throws IOException {
        Duration timeout = route.backend().config().timeouts().total();
        Sent sent = send(route, path, body, timeout, false, trace, cancellation);
        if (sent.response() == null) {
            return cancellation.cancelled() ? cancelled(route, observation) : Attempt.failed(sent.failure());
        }
        int status;
        byte[] answer;
        String contentType;
        HttpClientResponse response = sent.response();
        try {
            trace.answered();
            status = response.status().code();
            if (retryable(status)) {
                return Attempt.failed("answered " + status);
            }
            answer = response.inputStream().readAllBytes();
            contentType = response.headers().first(HeaderNames.CONTENT_TYPE).orElse("application/json");
        } catch (IOException | RuntimeException e) {
            return cancellation.cancelled() ? cancelled(route, observation)
                    : Attempt.failed("broke off its answer: " + failure(e, timeout));
        } finally {
            cancellation.release(); // before closing: a read answer's connection goes back to the pool
            response.close();
        }
        if (cancellation.cancelled()) {
            return cancelled(route, observation);
        }
        observation.backend(route.backend().name());
        if (status >= 400) {
            return refused(route, status, answer, res);
        }
        parse(new String(answer, StandardCharsets.UTF_8)).ifPresent(json -> observeUsage(json, observation));
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.header(BACKEND_HEADER, route.backend().name());
        res.send(answer);
        return Attempt.served(Outcome.SUCCESS);
    }

    /** The client left while the backend was working on its request. */
    private static Attempt cancelled(Route route, RequestObservation observation) {
        observation.backend(route.backend().name());
        return Attempt.served(Outcome.CLIENT_CANCELLED);
    }

    /** The backend refused the request itself (bad parameters, context too long): the client's to fix. */
    private static Attempt refused(Route route, int status, byte[] body, ServerResponse res) {
        res.status(Status.create(status));
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.header(BACKEND_HEADER, route.backend().name());
        res.send(UpstreamErrors.asOpenAi(status, body));
        return Attempt.served(Outcome.CLIENT_ERROR);
    }

    /**
     * @param relayUsage whether the client asked for the usage chunk; the gateway always asks the
     *                   backend for it (to count tokens) and drops it when the client did not
     */
    Attempt stream(Route route, String path, ObjectNode body, boolean relayUsage, ServerResponse res,
                   RequestObservation observation, RequestTrace trace, Cancellation cancellation) throws IOException {
        BackendTimeouts timeouts = route.backend().config().timeouts();
        long start = System.nanoTime();
        // The socket's read timeout only stops a reader stuck for good; the relay below keeps the
        // first-token and idle deadlines itself, and says which one passed.
        Duration readTimeout = timeouts.firstToken().compareTo(timeouts.idle()) >= 0 ? timeouts.firstToken()
                : timeouts.idle();
        Sent sent = send(route, path, body, readTimeout, true, trace, cancellation);
        cancellation.release(); // from its head on, the relay notices a client that left
        if (sent.response() == null) {
            return cancellation.cancelled() ? cancelled(route, observation) : Attempt.failed(sent.failure());
        }
        HttpClientResponse response = sent.response();
        trace.answered();
        int status = response.status().code();
        if (retryable(status)) {
            response.close();
            return Attempt.failed("answered " + status);
        }
        if (status >= 400) {
            observation.backend(route.backend().name());
            try (response) {
                return refused(route, status, response.inputStream().readAllBytes(), res);
            } catch (RuntimeException e) {
                return Attempt.failed("broke off its answer: " + failure(e, readTimeout));
            }
        }
        observation.backend(route.backend().name());
        return relay(route, response, SseReader.start(response.inputStream(), route.backend().name()), timeouts, start,
                relayUsage, res, observation, trace);
    }

    private Attempt relay(Route route, HttpClientResponse upstream, BlockingQueue<UpstreamEvent> events,
                          BackendTimeouts timeouts, long start, boolean relayUsage, ServerResponse res,
                          RequestObservation observation, RequestTrace trace) throws IOException {
        long totalDeadline = start + timeouts.total().toNanos();
        long eventDeadline = start + timeouts.firstToken().toNanos();
        boolean firstEvent = true;
        boolean complete = false;
        OutputStream out = null;
        try {
            while (true) {
                long now = System.nanoTime();
                long deadline = Math.min(eventDeadline, totalDeadline);
                if (now >= deadline) {
                    String why = now >= totalDeadline ? "the answer took longer than " + seconds(timeouts.total())
                            : firstEvent ? "no first token within " + seconds(timeouts.firstToken())
                            : "no token for " + seconds(timeouts.idle());
                    return fail(route, why, Outcome.TIMEOUT, "upstream_timeout", out);
                }
                UpstreamEvent event;
                try {
                    event = events.poll(Math.min(deadline - now, HEARTBEAT.toNanos()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Attempt.served(Outcome.CLIENT_CANCELLED);
                }
                if (event == null) {
                    if (out == null) {
                        out = commit(route, res); // a slow first token: tell the client we are here
                    }
                    out.write(HEARTBEAT_EVENT);
                    out.flush();
                    continue;
                }
                switch (event) {
                    case UpstreamEvent.Data data when data.data().equals("[DONE]") -> {
                        complete = true;
                        out = out == null ? commit(route, res) : out;
                        write(out, data.data());
                        return Attempt.served(Outcome.SUCCESS);
                    }
                    case UpstreamEvent.Data data -> {
                        Optional<JsonNode> chunk = parse(data.data());
                        if (chunk.isEmpty()) {
                            return fail(route, "sent an unreadable event", Outcome.UPSTREAM_ERROR, "upstream_invalid", out);
                        }
                        boolean usageOnly = observeUsage(chunk.get(), observation) && chunk.get().path("choices").isEmpty();
                        if (carriesOutput(chunk.get())) {
                            if (observation.timeToFirstToken() == null) {
                                trace.firstToken();
                            }
                            observation.token(System.nanoTime());
                        }
                        out = out == null ? commit(route, res) : out;
                        if (relayUsage || !usageOnly) {
                            write(out, data.data());
                        }
                        firstEvent = false;
                        eventDeadline = System.nanoTime() + timeouts.idle().toNanos();
                    }
                    case UpstreamEvent.Ended ended -> {
                        return fail(route, "ended the stream before it finished", Outcome.UPSTREAM_ERROR, "upstream_incomplete", out);
                    }
                    case UpstreamEvent.Failed failed -> {
                        return fail(route, "broke off the stream: " + describe(UpstreamErrors.innermost(failed.cause())),
                                Outcome.UPSTREAM_ERROR, "upstream_incomplete", out);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // The client went away; closing the upstream connection (below) cancels the backend's work.
            return Attempt.served(Outcome.CLIENT_CANCELLED);
        } finally {
            // A finished answer is left to the reader, which reads the response to its end so that
            // the connection goes back to the pool; anything else closes it, cancelling the request.
            if (!complete) {
                upstream.close();
            }
            if (out != null) {
                closeQuietly(out);
            }
        }
    }

    /** Before the first byte: let the next backend try. After it: an error event ends the stream. */
    private static Attempt fail(Route route, String why, Outcome how, String code, OutputStream out)
            throws IOException {
        if (out == null) {
            return Attempt.failed(why);
        }
        ApiError error = ApiError.ofParam(Status.BAD_GATEWAY_502, "backend " + route.backend().name() + " " + why,
                null, code);
        write(out, error.toJson().toString());
        return Attempt.served(how);
    }

    private static OutputStream commit(Route route, ServerResponse res) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderValues.CACHE_NO_CACHE);
        res.header(BACKEND_HEADER, route.backend().name());
        return res.outputStream();
    }

    private static void write(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The event or answer as a JSON object, or empty when it is not one. */
    private static Optional<JsonNode> parse(String data) {
        try {
            JsonNode node = Json.mapper().readTree(data);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Takes the token counts of an answer or chunk that has them; true when it had them. */
    private static boolean observeUsage(JsonNode answer, RequestObservation observation) {
        JsonNode usage = answer.path("usage");
        if (!usage.isObject()) {
            return false;
        }
        observation.usage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0));
        return true;
    }

    /** True when a chunk carries generated text (chat delta or completion text). */
    private static boolean carriesOutput(JsonNode chunk) {
        for (JsonNode choice : chunk.path("choices")) {
            if (!choice.path("delta").path("content").asText("").isEmpty() || !choice.path("text").asText("").isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Worth another backend: it is failing or overloaded, not refusing this request. */
    private static boolean retryable(int status) {
        return status >= 500 || status == 429;
    }

    /** Why a request failed, in words: a timeout as such, anything else by its innermost cause. */
    private static String failure(Exception e, Duration readTimeout) {
        Throwable cause = UpstreamErrors.innermost(e);
        return cause instanceof SocketTimeoutException ? "no answer within " + seconds(readTimeout) : describe(cause);
    }

    private static String describe(Throwable e) {
        String type = e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + " (" + e.getMessage() + ")";
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException | UncheckedIOException e) {
            // the client is gone; nothing left to tell it
        }
    }
}
