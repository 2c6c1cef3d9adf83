package dev.pitwall.gateway.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.gateway.breaker.OutputSample;
import dev.pitwall.gateway.routing.Backend;
import dev.pitwall.gateway.routing.Route;
import dev.pitwall.gateway.tracing.RequestTrace;
import dev.pitwall.gateway.upstream.Cancellation;

/**
 * One request as it goes to one backend: the route chosen, the endpoint's path, the body as the
 * backend gets it (its own model name), the trace it is part of, and the cancellation that ends
 * the call when the client leaves; {@code startNanos} is when it was sent, from which the
 * answer's deadlines count. The answer's text is gathered into {@code output} for the quality
 * breaker; {@code stripLogprobs} when the gateway asked for log-probabilities the client did not.
 */
public record UpstreamCall(Route route, String path, ObjectNode body, RequestTrace trace, Cancellation cancellation,
                           long startNanos, OutputSample output, boolean stripLogprobs) {

    public Backend backend() {
        return route.backend();
    }
}
