package dev.pitwall.gateway.routing;

/**
 * One way to serve a request: a backend, and the model name to ask it for (an alias resolved,
 * or a fallback model).
 */
public record Route(Backend backend, String upstreamModel) {
}
