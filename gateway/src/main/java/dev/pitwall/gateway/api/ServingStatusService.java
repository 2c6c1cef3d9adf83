package dev.pitwall.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.NoCache;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.admission.AdmissionQueue;
import dev.pitwall.gateway.breaker.BreakerEvents;
import dev.pitwall.gateway.breaker.QualityBreaker;
import dev.pitwall.gateway.diagnostics.DiagnosticsService;
import dev.pitwall.gateway.diagnostics.SlowRequests;
import dev.pitwall.gateway.routing.Backend;
import dev.pitwall.gateway.routing.Router;
import dev.pitwall.gateway.sli.GatewayMetrics;
import dev.pitwall.gateway.sli.Totals;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * {@code GET /api/serving}: each backend's health, load, admission and quality breakers (with
 * their evidence), the breakers' recent moves, the requests slowest in the gateway over the last
 * five minutes with their attributed causes, and running totals per model and per backend, for
 * the console's Serving page (which turns totals into rates).
 */
public final class ServingStatusService implements HttpService {

    public static final String PATH = "/api/serving";

    private final Router router;
    private final GatewayMetrics metrics;
    private final BreakerEvents breakerEvents;

    private static final Duration SLOW_WINDOW = Duration.ofMinutes(5);
    private static final int SLOW_SHOWN = 10;

    private final SlowRequests slowRequests;

    public ServingStatusService(Router router, GatewayMetrics metrics, BreakerEvents breakerEvents,
                                SlowRequests slowRequests) {
        this.slowRequests = slowRequests;
        this.router = router;
        this.metrics = metrics;
        this.breakerEvents = breakerEvents;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::status);
    }

    private void status(ServerRequest req, ServerResponse res) {
        ObjectNode out = Json.mapper().createObjectNode();
        long now = System.nanoTime();
        ArrayNode backends = out.putArray("backends");
        for (Backend backend : router.backends()) {
            ObjectNode b = backends.addObject()
                    .put("name", backend.name())
                    .put("kind", backend.config().kind().name().toLowerCase(java.util.Locale.ROOT))
                    .put("url", backend.config().url())
                    .put("healthy", backend.healthy())
                    .put("available", backend.available(now))
                    .put("inFlight", backend.inFlight())
                    .put("maxInFlight", backend.config().maxInFlight())
                    .put("limit", backend.admission().limiter().limit())
                    .put("limitAlgorithm", backend.config().concurrency().algorithm().name().toLowerCase(java.util.Locale.ROOT))
                    .put("queued", backend.admission().queued());
            ObjectNode shed = b.putObject("shed");
            for (AdmissionQueue.ShedReason reason : AdmissionQueue.ShedReason.values()) {
                shed.put(reason.label(), backend.admission().shedCount(reason));
            }
            ArrayNode breakers = b.putArray("breakers");
            backend.breakers().forEach((model, breaker) -> evidence(breakers.addObject().put("model", model)
                    .put("state", breaker.state(now).label()), breaker.evidence()));
            Backend.EngineLoad load = backend.engineLoad();
            if (load != null) {
                b.putObject("engine").put("waiting", load.waiting()).put("running", load.running())
                        .put("kvUsage", load.kvUsage());
            }
        }
        ArrayNode moves = out.putArray("breakerEvents");
        for (QualityBreaker.Transition t : breakerEvents.recent()) {
            evidence(moves.addObject().put("at", Instant.ofEpochMilli(t.atMillis()).toString()).put("backend", t.backend())
                    .put("model", t.model()).put("from", t.from().label()).put("to", t.to().label())
                    .put("why", t.why()), t.evidence());
        }
        ArrayNode slow = out.putArray("slowRequests");
        for (SlowRequests.Attributed a : slowRequests.recent(SLOW_WINDOW, SLOW_SHOWN)) {
            slow.add(DiagnosticsService.json(a));
        }
        totals(out.putObject("models"), metrics.byModel());
        totals(out.putObject("backendTotals"), metrics.byBackend());
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.header(NoCache.HEADER);
        res.send(out.toString());
    }

    /** The scores behind a breaker's state: bad answers and failures in its window, mean entropies. */
    private static void evidence(ObjectNode target, QualityBreaker.Evidence e) {
        ObjectNode out = target.putObject("evidence").put("samples", e.samples()).put("bad", e.bad())
                .put("failed", e.failed()).put("lastFault", e.lastFault());
        if (!Double.isNaN(e.meanCharEntropy())) {
            out.put("charEntropy", Math.round(e.meanCharEntropy() * 100) / 100.0);
        }
        if (!Double.isNaN(e.meanTokenEntropy())) {
            out.put("tokenEntropy", Math.round(e.meanTokenEntropy() * 100) / 100.0);
        }
    }

    private static void totals(ObjectNode target, Map<String, Totals> totals) {
        totals.forEach((name, t) -> target.set(name, Json.mapper().valueToTree(t.snapshot())));
    }
}
