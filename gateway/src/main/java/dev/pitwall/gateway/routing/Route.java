package dev.pitwall.gateway.routing;

import dev.pitwall.gateway.breaker.QualityBreaker;

/**
 * One way to serve a request: a backend, and the model name to ask it for (an alias resolved,
 * or a fallback model).
 */
public record Route(Backend backend, String upstreamModel) {

    /** What the quality breaker of this backend and model says now. */
    public QualityBreaker breaker() {
        return backend.breaker(upstreamModel);
    }
}
