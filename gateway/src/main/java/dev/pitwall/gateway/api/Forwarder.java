package dev.pitwall.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.config.BackendTimeouts;
import dev.pitwall.gateway.routing.Route;
import dev.pitwall.gateway.upstream.SseReader;
import dev.pitwall.gateway.upstream.UpstreamClients;
import dev.pitwall.gateway.upstream.UpstreamEvent;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

    /** Whether the client was answered; if not, why this backend failed. */
    record Outcome(boolean served, String failure) {
        static final Outcome SERVED = new Outcome(true, null);

        static Outcome failed(String why) {
            return new Outcome(false, why);
        }
    }

    private final UpstreamClients clients;

    Forwarder(UpstreamClients clients) {
        this.clients = clients;
    }

    Outcome complete(Route route, String path, ObjectNode body, ServerResponse res) throws IOException {
        BackendTimeouts timeouts = route.backend().config().timeouts();
        HttpResponse<byte[]> response;
        try {
            response = clients.client(route.backend()).send(
                    clients.post(route.backend(), path, Json.mapper().writeValueAsBytes(body), timeouts.total(), false),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            return Outcome.failed("no answer within " + seconds(timeouts.total()));
        } catch (IOException e) {
            return Outcome.failed(describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed("interrupted");
        }
        if (retryable(response.statusCode())) {
            return Outcome.failed("answered " + response.statusCode());
        }
        res.status(Status.create(response.statusCode()));
        res.header(HeaderNames.CONTENT_TYPE, response.headers().firstValue("content-type").orElse("application/json"));
        res.header(BACKEND_HEADER, route.backend().name());
        res.send(response.body());
        return Outcome.SERVED;
    }

    Outcome stream(Route route, String path, ObjectNode body, ServerResponse res) throws IOException {
        BackendTimeouts timeouts = route.backend().config().timeouts();
        long start = System.nanoTime();
        HttpResponse<InputStream> response;
        try {
            response = clients.client(route.backend()).send(
                    clients.post(route.backend(), path, Json.mapper().writeValueAsBytes(body), timeouts.firstToken(), true),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            return Outcome.failed("no answer within " + seconds(timeouts.firstToken()));
        } catch (IOException e) {
            return Outcome.failed(describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed("interrupted");
        }
        InputStream upstream = response.body();
        if (retryable(response.statusCode())) {
            upstream.close();
            return Outcome.failed("answered " + response.statusCode());
        }
        if (response.statusCode() >= 400) {
            // The request itself was refused (bad parameters, context too long): the client's to fix.
            res.status(Status.create(response.statusCode()));
            res.header(HeaderNames.CONTENT_TYPE, response.headers().firstValue("content-type").orElse("application/json"));
            res.header(BACKEND_HEADER, route.backend().name());
            try (upstream) {
                res.send(upstream.readAllBytes());
            }
            return Outcome.SERVED;
        }
        return relay(route, upstream, SseReader.start(upstream, route.backend().name()), timeouts, start, res);
    }

    private Outcome relay(Route route, InputStream upstream, BlockingQueue<UpstreamEvent> events,
                          BackendTimeouts timeouts, long start, ServerResponse res) throws IOException {
        long totalDeadline = start + timeouts.total().toNanos();
        long eventDeadline = start + timeouts.firstToken().toNanos();
        boolean firstEvent = true;
        OutputStream out = null;
        try {
            while (true) {
                long now = System.nanoTime();
                long deadline = Math.min(eventDeadline, totalDeadline);
                if (now >= deadline) {
                    String why = now >= totalDeadline ? "the answer took longer than " + seconds(timeouts.total())
                            : firstEvent ? "no first token within " + seconds(timeouts.firstToken())
                            : "no token for " + seconds(timeouts.idle());
                    return fail(route, why, "upstream_timeout", out);
                }
                UpstreamEvent event;
                try {
                    event = events.poll(Math.min(deadline - now, HEARTBEAT.toNanos()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Outcome.SERVED;
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
                        out = out == null ? commit(route, res) : out;
                        write(out, data.data());
                        return Outcome.SERVED;
                    }
                    case UpstreamEvent.Data data -> {
                        if (!readable(data.data())) {
                            return fail(route, "sent an unreadable event", "upstream_invalid", out);
                        }
                        out = out == null ? commit(route, res) : out;
                        write(out, data.data());
                        firstEvent = false;
                        eventDeadline = System.nanoTime() + timeouts.idle().toNanos();
                    }
                    case UpstreamEvent.Ended ended -> {
                        return fail(route, "ended the stream before it finished", "upstream_incomplete", out);
                    }
                    case UpstreamEvent.Failed failed -> {
                        return fail(route, "broke off the stream: " + describe(failed.cause()), "upstream_incomplete", out);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // The client went away; closing the upstream connection (below) cancels the backend's work.
            return Outcome.SERVED;
        } finally {
            upstream.close();
            if (out != null) {
                closeQuietly(out);
            }
        }
    }

    /** Before the first byte: let the next backend try. After it: an error event ends the stream. */
    private static Outcome fail(Route route, String why, String code, OutputStream out) throws IOException {
        if (out == null) {
            return Outcome.failed(why);
        }
        ApiError error = ApiError.ofParam(Status.BAD_GATEWAY_502, "backend " + route.backend().name() + " " + why,
                null, code);
        write(out, error.toJson().toString());
        return Outcome.SERVED;
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

    private static boolean readable(String data) {
        try {
            return Json.mapper().readTree(data).isObject();
        } catch (IOException e) {
            return false;
        }
    }

    /** Worth another backend: it is failing or overloaded, not refusing this request. */
    private static boolean retryable(int status) {
        return status >= 500 || status == 429;
    }

    private static String describe(IOException e) {
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
