package dev.pitwall.gateway.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.breaker.OutputSample;
import dev.pitwall.gateway.breaker.RetryRules;
import dev.pitwall.gateway.config.BackendTimeouts;
import dev.pitwall.gateway.sli.Outcome;
import dev.pitwall.gateway.sli.RequestObservation;
import dev.pitwall.gateway.sli.UsageMeter;
import dev.pitwall.gateway.upstream.UpstreamClients;
import dev.pitwall.gateway.upstream.UpstreamErrors;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * Sends one request to one backend. A non-streamed answer is read whole and relayed; a stream is
 * opened and handed to the relay once its head says the backend took the request. Until then any
 * failure (refused connection, 5xx or 429, timeout, broken answer) comes back as a failed
 * {@link Attempt}, so the next backend can be tried; a backend's refusal of the request itself
 * (other 4xx) goes to the client in OpenAI's error shape. A client that left while the backend
 * worked ends the call, which closes the upstream connection and so cancels the backend's work.
 */
public final class Forwarder {

    /** Names the backend that served an answer, for whoever debugs it. */
    public static final String BACKEND_HEADER = "X-Pitwall-Backend";

    /** A stream the backend accepted ({@code response} set), or the attempt already over ({@code done} set). */
    public record Opened(HttpClientResponse response, Attempt done) {
    }

    private final UpstreamClients clients;

    public Forwarder(UpstreamClients clients) {
        this.clients = clients;
    }

    /** Sends a non-streamed request and relays the answer; the client is not answered when it left meanwhile. */
    public Attempt complete(UpstreamCall call, ServerResponse res, RequestObservation observation) throws IOException {
        Duration timeout = call.backend().config().timeouts().total();
        HttpClientResponse response;
        long sent = System.nanoTime();
        try {
            response = send(call, timeout, false);
        } catch (RuntimeException e) {
            observation.waitedOnBackend(System.nanoTime() - sent);
            // Refused or dropped connections, timeouts, a garbled head: the client's unchecked exceptions.
            return call.cancellation().cancelled() ? cancelled(call, observation) : Attempt.failed(failure(e, timeout));
        }
        int status;
        byte[] answer;
        String contentType;
        try {
            call.trace().answered();
            status = response.status().code();
            if (RetryRules.retryable(status)) {
                return Attempt.failed("answered " + status);
            }
            answer = response.inputStream().readAllBytes();
            contentType = response.headers().first(HeaderNames.CONTENT_TYPE).orElse("application/json");
        } catch (IOException | RuntimeException e) {
            return call.cancellation().cancelled() ? cancelled(call, observation)
                    : Attempt.failed("broke off its answer: " + failure(e, timeout));
        } finally {
            call.cancellation().release(); // before closing: a read answer's connection goes back to the pool
            response.close();
            observation.waitedOnBackend(System.nanoTime() - sent);
        }
        if (call.cancellation().cancelled()) {
            return cancelled(call, observation);
        }
        observation.backend(call.backend().name());
        if (status >= 400) {
            return refused(call, status, answer, res);
        }
        Optional<ObjectNode> json = Json.object(answer);
        if (json.isPresent()) {
            UsageMeter.record(json.get(), observation);
            call.output().addAnswer(json.get());
            if (call.stripLogprobs() && OutputSample.strip(json.get())) {
                answer = Json.mapper().writeValueAsBytes(json.get());
            }
        }
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.header(BACKEND_HEADER, call.backend().name());
        res.send(answer);
        return Attempt.served(Outcome.SUCCESS);
    }

    /**
     * Sends a streamed request and waits for the answer's head. A stream the backend took keeps
     * its connection in the call's cancellation, for the relay to close at a deadline or when the
     * client leaves (which the relay notices itself: its writes fail); anything else releases it.
     */
    public Opened openStream(UpstreamCall call, ServerResponse res, RequestObservation observation)
            throws IOException {
        BackendTimeouts timeouts = call.backend().config().timeouts();
        // The socket's read timeout only stops a reader stuck for good; the relay keeps the
        // first-token and idle deadlines itself, and says which one passed.
        Duration readTimeout = timeouts.firstToken().compareTo(timeouts.idle()) >= 0 ? timeouts.firstToken()
                : timeouts.idle();
        HttpClientResponse response;
        long sent = System.nanoTime();
        try {
            response = send(call, readTimeout, true);
        } catch (RuntimeException e) {
            call.cancellation().release();
            return new Opened(null, call.cancellation().cancelled() ? cancelled(call, observation)
                    : Attempt.failed(failure(e, readTimeout)));
        } finally {
            observation.waitedOnBackend(System.nanoTime() - sent);
        }
        call.trace().answered();
        int status = response.status().code();
        if (status < 400) {
            call.cancellation().streaming();
            observation.backend(call.backend().name());
            return new Opened(response, null);
        }
        call.cancellation().release();
        if (RetryRules.retryable(status)) {
            response.close();
            return new Opened(null, Attempt.failed("answered " + status));
        }
        observation.backend(call.backend().name());
        try (response) {
            return new Opened(null, refused(call, status, response.inputStream().readAllBytes(), res));
        } catch (IOException | RuntimeException e) {
            return new Opened(null, Attempt.failed("broke off its answer: " + failure(e, readTimeout)));
        }
    }

    /** Sends the request; {@code readTimeout} bounds the wait for the answer's head and for each later read. */
    private HttpClientResponse send(UpstreamCall call, Duration readTimeout, boolean stream) throws IOException {
        UpstreamClients.Post post = new UpstreamClients.Post(call.path(), Json.mapper().writeValueAsBytes(call.body()),
                stream, call.trace().upstreamHeaders());
        return clients.post(call.backend().config(), post, readTimeout, call.cancellation());
    }

    /** The client left while the backend was working on its request. */
    private static Attempt cancelled(UpstreamCall call, RequestObservation observation) {
        observation.backend(call.backend().name());
        return Attempt.served(Outcome.CLIENT_CANCELLED);
    }

    /** The backend refused the request itself (bad parameters, context too long): the client's to fix. */
    private static Attempt refused(UpstreamCall call, int status, byte[] body, ServerResponse res) {
        res.status(Status.create(status));
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.header(BACKEND_HEADER, call.backend().name());
        res.send(UpstreamErrors.asOpenAi(status, body));
        return Attempt.served(Outcome.CLIENT_ERROR);
    }

    /** Why a request failed, in words: a timeout as such, anything else by its innermost cause. */
    private static String failure(Exception e, Duration readTimeout) {
        Throwable cause = UpstreamErrors.innermost(e);
        return cause instanceof SocketTimeoutException ? "no answer within " + UpstreamErrors.seconds(readTimeout)
                : UpstreamErrors.describe(cause);
    }
}
