package dev.pitwall.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.auth.TenantAuthentication;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.contract.OpenApiContract;
import dev.pitwall.gateway.routing.Route;
import dev.pitwall.gateway.routing.Router;
import dev.pitwall.gateway.sli.GatewayMetrics;
import dev.pitwall.gateway.sli.Outcome;
import dev.pitwall.gateway.sli.RequestObservation;
import dev.pitwall.gateway.sli.RequestTrace;
import dev.pitwall.gateway.upstream.Cancellation;
import dev.pitwall.gateway.upstream.UpstreamClients;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerRequestHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * OpenAI's API in front of the configured backends: {@code POST /v1/chat/completions},
 * {@code /v1/completions}, {@code /v1/embeddings} and {@code GET /v1/models}. A request is
 * checked against the gateway's OpenAPI contract, its model resolved (aliases, fallbacks), and
 * sent to the backends in the router's order until one serves it; fields the gateway does not
 * know are passed on untouched.
 */
public final class OpenAiService implements HttpService {

    private final Router router;
    /** Reads a caller's trace context headers. */
    private static final TextMapGetter<ServerRequestHeaders> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(ServerRequestHeaders headers) {
            return headers.stream().map(Header::name).toList();
        }

        @Override
        public String get(ServerRequestHeaders headers, String key) {
            return headers == null ? null : headers.first(HeaderNames.create(key)).orElse(null);
        }
    };

    private final Forwarder forwarder;
    private final TenantAuthentication authentication;
    private final GatewayMetrics metrics;
    private final GatewayConfig config;
    private final OpenApiContract contract;
    private final Tracer tracer;
    private final ClientHangUps hangUps;

    public OpenAiService(GatewayConfig config, OpenApiContract contract, Router router, UpstreamClients clients,
                         TenantAuthentication authentication, GatewayMetrics metrics, Tracer tracer,
                         ClientHangUps hangUps) {
        this.config = config;
        this.hangUps = hangUps;
        this.contract = contract;
        this.tracer = tracer;
        this.router = router;
        this.forwarder = new Forwarder(clients);
        this.authentication = authentication;
        this.metrics = metrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(authentication)
                .post("/chat/completions", (req, res) -> forward(req, res, Endpoint.CHAT))
                .post("/completions", (req, res) -> forward(req, res, Endpoint.COMPLETIONS))
                .post("/embeddings", (req, res) -> forward(req, res, Endpoint.EMBEDDINGS))
                .get("/models", this::models);
    }

    private void models(ServerRequest req, ServerResponse res) {
        ObjectNode out = Json.mapper().createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        for (String model : router.modelNames()) {
            data.addObject().put("id", model).put("object", "model").put("created", 0).put("owned_by", "pitwall");
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(out.toString());
    }

    private void forward(ServerRequest req, ServerResponse res, Endpoint endpoint) throws IOException {
        long start = System.nanoTime();
        ObjectNode body = readObject(req);
        String requested = body == null ? "" : body.path("model").asText("");
        // Unknown names share one label so that a client's typos cannot grow the metric's series.
        RequestObservation observation = new RequestObservation(router.serves(requested) ? requested : "unknown",
                TenantAuthentication.tenantOf(req), start);
        RequestTrace trace = new RequestTrace(tracer, "POST /v1" + endpoint.path, req.headers(), HEADERS);
        Cancellation cancellation = new Cancellation();
        Outcome outcome;
        try (ClientHangUps.Watch watch = hangUps.watch(cancellation)) {
            outcome = answer(body, endpoint, res, observation, trace, cancellation);
        }
        observation.finish(outcome, System.nanoTime());
        metrics.record(observation);
        trace.finish(observation);
    }

    private Outcome answer(ObjectNode body, Endpoint endpoint, ServerResponse res, RequestObservation observation,
                           RequestTrace trace, Cancellation cancellation) throws IOException {
        if (body == null) {
            ApiError.of(Status.BAD_REQUEST_400, "the request body must be a JSON object").send(res);
            return Outcome.CLIENT_ERROR;
        }
        Optional<OpenApiContract.Violation> violation = contract.check(endpoint.requestSchema, body);
        if (violation.isPresent()) {
            ApiError.ofParam(Status.BAD_REQUEST_400, violation.get().message(), violation.get().param(), null).send(res);
            return Outcome.CLIENT_ERROR;
        }
        String model = body.path("model").asText();
        if (!router.serves(model)) {
            ApiError.ofParam(Status.NOT_FOUND_404, "The model `" + model + "` does not exist or is not served here; "
                    + "GET /v1/models lists the models this gateway serves", "model", "model_not_found").send(res);
            return Outcome.CLIENT_ERROR;
        }
        boolean stream = endpoint.streams && body.path("stream").asBoolean(false);
        boolean clientWantsUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        List<String> failures = new ArrayList<>();
        boolean allFull = true;
        for (Route route : router.routes(model)) {
            if (!route.backend().tryAcquire()) {
                failures.add(route.backend().name() + ": at max-in-flight");
                continue;
            }
            allFull = false;
            trace.attempt(route.backend().name(), route.upstreamModel());
            observation.routed(System.nanoTime());
            try {
                ObjectNode upstreamBody = body.deepCopy().put("model", route.upstreamModel());
                Forwarder.Attempt attempt;
                if (stream) {
                    upstreamBody.withObjectProperty("stream_options").put("include_usage", true);
                    attempt = forwarder.stream(route, endpoint.path, upstreamBody, clientWantsUsage, res, observation,
                            trace, cancellation);
                } else {
                    attempt = forwarder.complete(route, endpoint.path, upstreamBody, res, observation, trace,
                            cancellation);
                }
                trace.attemptEnded(attempt.failure());
                report(route, attempt);
                if (attempt.served()) {
                    return attempt.outcome();
                }
                failures.add(route.backend().name() + ": " + attempt.failure());
            } finally {
                route.backend().release();
            }
        }
        if (allFull) {
            ApiError.ofParam(Status.TOO_MANY_REQUESTS_429, "every backend serving `" + model
                    + "` is at its max-in-flight; retry shortly", "model", "backends_full").send(res);
            return Outcome.REJECTED;
        }
        ApiError.ofParam(Status.BAD_GATEWAY_502, "no backend could serve `" + model + "`: "
                + String.join("; ", failures), "model", "upstream_unavailable").send(res);
        return Outcome.UPSTREAM_ERROR;
    }

    /** Passive outlier detection: what the backend did with this request. */
    private void report(Route route, Forwarder.Attempt attempt) {
        if (!attempt.served() || attempt.outcome() == Outcome.UPSTREAM_ERROR || attempt.outcome() == Outcome.TIMEOUT) {
            route.backend().failed(System.nanoTime(), config.ejectAfterFailures(), config.ejectionTime());
        } else if (attempt.outcome() != Outcome.CLIENT_CANCELLED) {
            route.backend().succeeded();
        }
    }

    private static ObjectNode readObject(ServerRequest req) {
        try {
            return Json.mapper().readTree(req.content().as(byte[].class)) instanceof ObjectNode object ? object : null;
        } catch (IOException e) {
            return null;
        }
    }
}
