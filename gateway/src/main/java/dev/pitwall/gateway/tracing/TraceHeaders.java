package dev.pitwall.gateway.tracing;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerRequestHeaders;
import io.opentelemetry.context.propagation.TextMapGetter;

/** Reads a caller's trace context ({@code traceparent}, {@code tracestate}) from a request's headers. */
public final class TraceHeaders implements TextMapGetter<ServerRequestHeaders> {

    public static final TraceHeaders INSTANCE = new TraceHeaders();

    private TraceHeaders() {
    }

    @Override
    public Iterable<String> keys(ServerRequestHeaders headers) {
        return headers.stream().map(Header::name).toList();
    }

    @Override
    public String get(ServerRequestHeaders headers, String key) {
        return headers == null ? null : headers.first(HeaderNames.create(key)).orElse(null);
    }
}
