package dev.pitwall.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.RequestBodies;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.admission.AdmissionQueue;
import dev.pitwall.gateway.admission.Permit;
import dev.pitwall.gateway.admission.Priority;
import dev.pitwall.gateway.auth.TenantAuthentication;
import dev.pitwall.gateway.batch.EmbeddingBatcher;
import dev.pitwall.gateway.breaker.AttemptVerdict;
import dev.pitwall.gateway.breaker.OutputSample;
import dev.pitwall.gateway.breaker.QualityJudge;
import dev.pitwall.gateway.budget.Budgets;
import dev.pitwall.gateway.budget.TenantBudget;
import dev.pitwall.gateway.budget.TokenEstimate;
import dev.pitwall.gateway.contract.OpenApiContract;
import dev.pitwall.gateway.diagnostics.SlowRequests;
import dev.pitwall.gateway.forward.Attempt;
import dev.pitwall.gateway.forward.Forwarder;
import dev.pitwall.gateway.forward.UpstreamCall;
import dev.pitwall.gateway.prompt.CanaryGuard;
import dev.pitwall.gateway.prompt.PromptProblem;
import dev.pitwall.gateway.prompt.PromptStage;
import dev.pitwall.gateway.routing.Route;
import dev.pitwall.gateway.routing.Router;
import dev.pitwall.gateway.sli.GatewayMetrics;
import dev.pitwall.gateway.sli.Outcome;
import dev.pitwall.gateway.sli.RequestObservation;
import dev.pitwall.gateway.slo.SloBoard;
import dev.pitwall.gateway.stream.SseRelay;
import dev.pitwall.gateway.stream.StreamWatch;
import dev.pitwall.gateway.tracing.RequestTrace;
import dev.pitwall.gateway.tracing.TraceHeaders;
import dev.pitwall.gateway.upstream.Cancellation;
import dev.pitwall.gateway.upstream.UpstreamClients;
import dev.pitwall.gateway.upstream.UpstreamErrors;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.api.trace.Tracer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * OpenAI's API in front of the configured backends: {@code POST /v1/chat/completions},
 * {@code /v1/completions}, {@code /v1/embeddings} and {@code GET /v1/models}. Fields the gateway
 * does not know are passed on untouched. A request goes through these stages, in this order:
 * <ol>
 *   <li>authenticate: the tenant's key ({@link TenantAuthentication}, a filter on every route);
 *   <li>check the contract: a JSON object valid against the gateway's OpenAPI document, for a model served here;
 *   <li>render the prompt a chat request names ({@link PromptStage}) into its messages;
 *   <li>charge the tenant's budget ({@link Budgets}): requests and estimated tokens per minute, open streams; 429 when spent;
 *   <li>merge: embeddings calls with concurrent ones for the same model ({@link EmbeddingBatcher});
 *   <li>route: the backends serving the model, in the router's order, then its fallbacks';
 *   <li>admit: a place within each backend's concurrency limit before it is tried, or a wait in
 *       the first backend's queue when all are full, in the tenant's priority; shed with 503 when it cannot wait;
 *   <li>forward: the request to one backend ({@link Forwarder});
 *   <li>relay: the answer, whole or as a stream ({@link SseRelay}); a failure before the first byte moves on to the next backend;
 *   <li>observe: the outcome for the backend's ejection state, the limiter, the quality breaker (the
 *       answer's text judged), the metrics, the objectives' event counts, the slow-request log and the trace.
 * </ol>
 */
public final class OpenAiService implements HttpService {

    private static final HeaderName PROMPT_HEADER = HeaderNames.create(PromptStage.HEADER);

    private final Router router;
    private final Forwarder forwarder;
    private final TenantAuthentication authentication;
    private final Budgets budgets;
    private final EmbeddingBatcher batcher;
    private final PromptStage prompts;
    private final CanaryGuard canaries;
    private final GatewayMetrics metrics;
    private final SloBoard slos;
    private final SlowRequests slowRequests;
    private final OpenApiContract contract;
    private final Tracer tracer;
    private final ClientHangUps hangUps;
    private final StreamWatch streams;

    public OpenAiService(OpenApiContract contract, Router router, UpstreamClients clients,
                         TenantAuthentication authentication, Budgets budgets, PromptStage prompts,
                         CanaryGuard canaries, EmbeddingBatcher batcher, GatewayMetrics metrics, SloBoard slos,
                         SlowRequests slowRequests, Tracer tracer, ClientHangUps hangUps,
                         StreamWatch streams) {
        this.slos = slos;
        this.slowRequests = slowRequests;
        this.budgets = budgets;
        this.canaries = canaries;
        this.prompts = prompts;
        this.batcher = batcher;
        this.hangUps = hangUps;
        this.streams = streams;
        this.contract = contract;
        this.tracer = tracer;
        this.router = router;
        this.forwarder = new Forwarder(clients);
        this.authentication = authentication;
        this.metrics = metrics;
    }

    /** One request on its way through the stages. */
    private record Exchange(Endpoint endpoint, ObjectNode body, ServerResponse res, RequestObservation observation,
                            RequestTrace trace, Cancellation cancellation,
                            Priority priority) {

        String model() {
            return body.path("model").asText();
        }

        boolean streamed() {
            return endpoint.streams && body.path("stream").asBoolean(false);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        // Authentication on each route, not on every path: a wrong method gets its 405 and an OPTIONS
        // its Allow without a key.
        rules.post("/chat/completions", authentication, (req, res) -> forward(req, res, Endpoint.CHAT))
                .post("/completions", authentication, (req, res) -> forward(req, res, Endpoint.COMPLETIONS))
                .post("/embeddings", authentication, (req, res) -> forward(req, res, Endpoint.EMBEDDINGS))
                .get("/models", authentication, this::models);
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
        byte[] raw = RequestBodies.bytes(req);
        ObjectNode body = Json.object(raw).orElse(null);
        String requested = body == null ? "" : body.path("model").asText("");
        // Unknown names share one label so that a client's typos cannot grow the metric's series.
        RequestObservation observation = new RequestObservation(router.serves(requested) ? requested : "unknown",
                TenantAuthentication.tenantOf(req), start);
        RequestTrace trace = new RequestTrace(tracer, "POST /v1" + endpoint.path, req.headers(), TraceHeaders.INSTANCE);
        TenantBudget budget = budgets.of(observation.tenant());
        Exchange exchange = new Exchange(endpoint, body, res, observation, trace, new Cancellation(), budget.priority());
        Outcome outcome;
        Optional<PromptStage.Served> served = Optional.empty();
        try (ClientHangUps.Watch watch = hangUps.watch(exchange.cancellation())) {
            Optional<ApiError> refused = raw.length == 0
                    ? Optional.of(ApiError.of(Status.BAD_REQUEST_400, "the request has no body: send a JSON object"))
                    : checkContract(exchange);
            if (refused.isEmpty()) {
                try {
                    served = prompt(exchange, req);
                } catch (PromptProblem e) {
                    refused = Optional.of(ApiError.ofParam(Status.BAD_REQUEST_400, e.getMessage(), e.field(), null));
                } catch (PromptStage.NotFound e) {
                    refused = Optional.of(ApiError.ofParam(Status.NOT_FOUND_404, e.getMessage(), "prompt",
                            "prompt_not_found"));
                }
            }
            outcome = refused.isPresent() ? refuse(refused.get(), res) : charged(exchange, budget);
        }
        observation.finish(outcome, System.nanoTime());
        metrics.record(observation);
        slos.record(observation);
        slowRequests.record(observation, Thread.currentThread().threadId());
        served.ifPresent(p -> {
            metrics.recordPrompt(p.name(), p.version(), observation);
            canaries.record(p, observation.outcome().serverSideFailure(), observation.timeToFirstToken(),
                    observation.qualityFault() != null);
        });
        trace.finish(observation);
    }

    /** The prompt a chat request names, rendered into its messages; the answer says which version served it. */
    private Optional<PromptStage.Served> prompt(Exchange exchange, ServerRequest req) {
        Optional<String> header = req.headers().first(PROMPT_HEADER);
        if (exchange.endpoint() != Endpoint.CHAT) {
            if (header.isPresent()) {
                throw new PromptProblem("prompt", PromptStage.HEADER + " names a prompt, and prompts serve chat "
                        + "completions only (/v1/chat/completions)");
            }
            return Optional.empty();
        }
        Optional<PromptStage.Served> served = prompts.apply(exchange.body(), exchange.observation().tenant(),
                name -> req.headers().first(HeaderNames.create(name)));
        served.ifPresent(p -> exchange.res().header(PROMPT_HEADER, p.tag()));
        return served;
    }

    /** Serves the request within its tenant's budget; the answer's usage settles the charge. */
    private Outcome charged(Exchange exchange, TenantBudget budget) throws IOException {
        Optional<Budgets.Charge> charge = budgets.charge(budget, TokenEstimate.of(exchange.body()), exchange.streamed(),
                exchange.res());
        if (charge.isEmpty()) {
            return Outcome.RATE_LIMITED;
        }
        try (Budgets.Charge taken = charge.get()) {
            Outcome outcome = exchange.endpoint() == Endpoint.EMBEDDINGS && batcher.accepts(exchange.body())
                    ? batched(exchange) : serve(exchange);
            RequestObservation o = exchange.observation();
            taken.settle(o.promptTokens() + o.completionTokens());
            return outcome;
        }
    }

    /** Embeddings merged with concurrent calls for the model; sent on their own when the merged call did not serve them. */
    private Outcome batched(Exchange exchange) throws IOException {
        // Ranking the routes here would draw a first choice (and move breakers) for nothing.
        EmbeddingBatcher.Result result = batcher.submit(exchange.body(), router.longestTotalTimeout(exchange.model()));
        if (result instanceof EmbeddingBatcher.Answered answered) {
            exchange.observation().backend(answered.backend());
            exchange.observation().usage(answered.promptTokens(), 0);
            ServerResponse res = exchange.res();
            res.header(HeaderValues.CONTENT_TYPE_JSON);
            res.header(Forwarder.BACKEND_HEADER, answered.backend());
            res.send(answered.body());
            return Outcome.SUCCESS;
        }
        return serve(exchange);
    }

    /** What is wrong with the request before any backend sees it, in OpenAI's error shape. */
    private Optional<ApiError> checkContract(Exchange exchange) {
        if (exchange.body() == null) {
            return Optional.of(ApiError.of(Status.BAD_REQUEST_400, "the request body is not a JSON object"));
        }
        Optional<OpenApiContract.Violation> violation = contract.check(exchange.endpoint().requestSchema,
                exchange.body());
        if (violation.isPresent()) {
            return Optional.of(ApiError.ofParam(Status.BAD_REQUEST_400, violation.get().message(),
                    violation.get().param(), null));
        }
        String model = exchange.model();
        if (!router.serves(model)) {
            return Optional.of(ApiError.ofParam(Status.NOT_FOUND_404, "The model `" + model + "` does not exist or is "
                    + "not served here; GET /v1/models lists the models this gateway serves", "model", "model_not_found"));
        }
        return Optional.empty();
    }

    private static Outcome refuse(ApiError error, ServerResponse res) {
        error.send(res);
        return Outcome.CLIENT_ERROR;
    }

    /**
     * Tries the model's routes in order, each once admitted, until one serves the request. When
     * every backend is at its limit the request waits in the first one's queue, in its tenant's
     * priority; shed from there, it gets 503 with Retry-After.
     */
    private Outcome serve(Exchange exchange) throws IOException {
        List<String> failures = new ArrayList<>();
        List<Route> routes = router.routes(exchange.model());
        boolean admitted = false;
        for (Route route : routes) {
            Optional<Permit> permit = route.backend().admission().tryAcquire();
            if (permit.isEmpty()) {
                failures.add(route.backend().name() + ": at its concurrency limit");
                continue;
            }
            admitted = true;
            Attempt attempt = attempt(route, exchange, permit.get());
            if (attempt.served()) {
                return attempt.outcome();
            }
            failures.add(route.backend().name() + ": " + attempt.failure());
        }
        String model = exchange.model();
        if (!admitted) {
            Route first = routes.getFirst();
            exchange.cancellation().waiting();
            AdmissionQueue.Decision decision;
            try {
                decision = first.backend().admission().await(exchange.priority(), exchange.observation().startNanos(),
                        exchange.cancellation()::cancelled);
            } finally {
                exchange.cancellation().waited();
            }
            if (decision instanceof AdmissionQueue.Shed shed) {
                if (shed.reason() == AdmissionQueue.ShedReason.CLIENT_LEFT) {
                    exchange.observation().backend(first.backend().name());
                    return Outcome.CLIENT_CANCELLED; // nobody to answer
                }
                return shed(exchange, first, shed);
            }
            AdmissionQueue.Admitted place = (AdmissionQueue.Admitted) decision;
            metrics.queueWait(first.backend().name(), place.waitedNanos());
            exchange.observation().queued(place.waitedNanos());
            Attempt attempt = attempt(first, exchange, place.permit());
            if (attempt.served()) {
                return attempt.outcome();
            }
            failures.add(first.backend().name() + ": " + attempt.failure());
        }
        ApiError.ofParam(Status.BAD_GATEWAY_502, "no backend could serve `" + model + "`: "
                + String.join("; ", failures), "model", "upstream_unavailable").send(exchange.res());
        return Outcome.UPSTREAM_ERROR;
    }

    /** Every backend of the model is at its limit and this request could not wait for a place. */
    private static Outcome shed(Exchange exchange, Route route, AdmissionQueue.Shed shed) {
        String why = switch (shed.reason()) {
            case QUEUE_FULL -> "its wait queue is full";
            case DEADLINE -> "the wait for a place would be longer than "
                    + UpstreamErrors.seconds(route.backend().config().concurrency().maxQueueWait());
            case OUTRANKED -> "requests of a higher priority took this one's place in its queue";
            case CLIENT_LEFT -> "the client left";
        };
        ServerResponse res = exchange.res();
        res.header(HeaderNames.RETRY_AFTER, String.valueOf(shed.retryAfter().toSeconds()));
        ApiError.ofParam(Status.SERVICE_UNAVAILABLE_503, "every backend serving `" + exchange.model()
                + "` is at its concurrency limit and " + why + "; retry after " + shed.retryAfter().toSeconds()
                + " s", "model", "overloaded").send(res);
        exchange.observation().backend(route.backend().name());
        return Outcome.REJECTED;
    }

    /** One admitted backend's try: forward, relay, and what the outcome says of the backend. */
    private Attempt attempt(Route route, Exchange exchange, Permit permit) throws IOException {
        exchange.trace().attempt(route.backend().name(), route.upstreamModel());
        long attemptStart = System.nanoTime();
        OutputSample output = new OutputSample();
        Attempt attempt = null; // stays null when writing to the client failed: that says nothing of the backend
        try {
            ObjectNode upstreamBody = exchange.body().deepCopy().put("model", route.upstreamModel());
            boolean relayUsage = exchange.body().path("stream_options").path("include_usage").asBoolean(false);
            if (exchange.streamed()) {
                upstreamBody.withObjectProperty("stream_options").put("include_usage", true);
            }
            // Chat answers are judged best with their tokens' log-probabilities: asked for on a
            // sample of requests whose clients did not, and taken out of what those clients get.
            boolean sampled = exchange.endpoint() == Endpoint.CHAT && !upstreamBody.path("logprobs").asBoolean(false)
                    && router.judge().sampleLogprobs();
            if (sampled) {
                upstreamBody.put("logprobs", true).put("top_logprobs", QualityJudge.TOP_LOGPROBS);
            }
            UpstreamCall call = new UpstreamCall(route, exchange.endpoint().path, upstreamBody, exchange.trace(),
                    exchange.cancellation(), System.nanoTime(), output, sampled);
            attempt = exchange.streamed() ? stream(call, relayUsage, exchange) : forwarder.complete(call, exchange.res(),
                    exchange.observation());
            return attempt;
        } finally {
            AttemptVerdict verdict = attempt == null ? AttemptVerdict.SAYS_NOTHING
                    : AttemptVerdict.of(attempt.served(), attempt.outcome());
            long now = System.nanoTime();
            route.backend().ejection().record(verdict, now);
            switch (verdict) {
                case FAILED -> {
                    permit.dropped();
                    route.breaker().failed();
                }
                case SUCCEEDED -> {
                    long latency = exchange.observation().firstTokenNanos().orElse(now) - attemptStart;
                    permit.success(latency);
                    if (attempt.outcome() == Outcome.SUCCESS && exchange.endpoint() != Endpoint.EMBEDDINGS) {
                        route.breaker().answered(output.score(router.judge().config()),
                                exchange.streamed() ? Duration.ofNanos(latency) : null)
                                .ifPresent(exchange.observation()::qualityFault);
                    }
                }
                case SAYS_NOTHING -> permit.ignore();
            }
            exchange.trace().attemptEnded(attempt == null ? null : attempt.failure());
        }
    }

    private Attempt stream(UpstreamCall call, boolean relayUsage, Exchange exchange) throws IOException {
        Forwarder.Opened opened = forwarder.openStream(call, exchange.res(), exchange.observation());
        return opened.done() != null ? opened.done()
                : SseRelay.relay(call, opened.response(), relayUsage, exchange.res(), exchange.observation(),
                        streams);
    }
}
