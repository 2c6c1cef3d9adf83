package dev.pitwall.gateway.batch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.admission.Permit;
import dev.pitwall.gateway.breaker.AttemptVerdict;
import dev.pitwall.gateway.breaker.RetryRules;
import dev.pitwall.gateway.routing.Route;
import dev.pitwall.gateway.routing.Router;
import dev.pitwall.gateway.upstream.Cancellation;
import dev.pitwall.gateway.upstream.UpstreamClients;
import io.helidon.webclient.api.HttpClientResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Sends a merged embeddings call the way the gateway sends any request: the model's routes in
 * the router's order, each within its backend's concurrency limit, a failing or overloaded
 * backend's place taken by the next. It does not wait in a full backend's queue: then the
 * callers go on their own, each with its own place in the queue and its own deadline.
 */
public final class MergedCalls implements EmbeddingBatcher.Upstream {

    private static final String PATH = "/embeddings";

    private final Router router;
    private final UpstreamClients clients;

    public MergedCalls(Router router, UpstreamClients clients) {
        this.router = router;
        this.clients = clients;
    }

    @Override
    public Optional<EmbeddingBatcher.Reply> send(String model, ObjectNode body) {
        for (Route route : router.routes(model)) {
            Optional<Permit> permit = route.backend().admission().tryAcquire();
            if (permit.isPresent()) {
                Optional<EmbeddingBatcher.Reply> reply = sendTo(route, body, permit.get());
                if (reply.isPresent()) {
                    return reply;
                }
            }
        }
        return Optional.empty();
    }

    private Optional<EmbeddingBatcher.Reply> sendTo(Route route, ObjectNode body, Permit permit) {
        long start = System.nanoTime();
        AttemptVerdict verdict = AttemptVerdict.FAILED;
        Cancellation cancellation = new Cancellation();
        try {
            ObjectNode upstreamBody = body.deepCopy().put("model", route.upstreamModel());
            UpstreamClients.Post post = new UpstreamClients.Post(PATH, Json.mapper().writeValueAsBytes(upstreamBody),
                    false, Map.of());
            try (HttpClientResponse response = clients.post(route.backend().config(), post,
                    route.backend().config().timeouts().total(), cancellation)) {
                int status = response.status().code();
                if (RetryRules.retryable(status)) {
                    return Optional.empty();
                }
                byte[] answer = response.inputStream().readAllBytes();
                verdict = AttemptVerdict.SUCCEEDED;
                return Optional.of(new EmbeddingBatcher.Reply(status, answer, route.backend().name()));
            } finally {
                cancellation.release();
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } finally {
            route.backend().ejection().record(verdict, System.nanoTime());
            if (verdict == AttemptVerdict.SUCCEEDED) {
                permit.success(System.nanoTime() - start);
            } else {
                permit.dropped();
            }
        }
    }
}
