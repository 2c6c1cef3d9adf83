package dev.pitwall.gateway.tracing;

import dev.pitwall.gateway.sli.RequestObservation;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request's trace: a server span for the whole request, with a child span for the time
 * spent before any backend was asked ({@code checks}: key, contract, routing), and per backend tried an {@code upstream}
 * span holding {@code connect} (request sent, until the answer's headers), {@code first token}
 * and {@code streaming}. A caller's W3C {@code traceparent} makes the request part of the caller's
 * trace, and each backend is asked with the trace context of its upstream span, so that an
 * engine that traces joins the same trace. With tracing off no span is recorded, and the
 * caller's context is passed on to the backend as it came.
 */
public final class RequestTrace {

    private final Tracer tracer;
    private final Span request;
    private Span checks;
    private Span upstream;
    private Span phase;

    /**
     * @param incoming the request's headers, read by {@code getter}, for the caller's trace context
     */
    public <C> RequestTrace(Tracer tracer, String operation, C incoming, TextMapGetter<C> getter) {
        this.tracer = tracer;
        Context caller = W3CTraceContextPropagator.getInstance().extract(Context.root(), incoming, getter);
        this.request = tracer.spanBuilder(operation).setParent(caller).setSpanKind(SpanKind.SERVER).startSpan();
        this.checks = child(request, "checks", SpanKind.INTERNAL);
    }

    /** The trace context headers ({@code traceparent}, {@code tracestate}) for the backend being asked. */
    public Map<String, String> upstreamHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(upstream != null ? upstream : request),
                headers, Map::put);
        return headers;
    }

    /** A backend is about to be asked (the first one ends the checks). */
    public void attempt(String backend, String model) {
        endChecks();
        upstream = child(request, "upstream " + backend, SpanKind.CLIENT);
        upstream.setAttribute("pitwall.backend", backend);
        upstream.setAttribute("gen_ai.request.model", model);
        phase = child(upstream, "connect", SpanKind.INTERNAL);
    }

    /** The backend's answer began (its headers arrived). */
    public void answered() {
        nextPhase("first token");
    }

    /** The first token arrived. */
    public void firstToken() {
        nextPhase("streaming");
    }

    /** The attempt is over: {@code failure} is null when the backend served the request. */
    public void attemptEnded(String failure) {
        if (upstream == null) {
            return;
        }
        endPhase();
        if (failure != null) {
            upstream.setStatus(StatusCode.ERROR, failure);
        }
        upstream.end();
        upstream = null;
    }

    public void finish(RequestObservation done) {
        endChecks();
        request.setAttribute("gen_ai.request.model", done.model());
        request.setAttribute("pitwall.tenant", done.tenant());
        request.setAttribute("pitwall.backend", done.backend());
        request.setAttribute("pitwall.outcome", done.outcome().label());
        request.setAttribute("gen_ai.usage.input_tokens", done.promptTokens());
        request.setAttribute("gen_ai.usage.output_tokens", done.completionTokens());
        if (done.outcome().serverSideFailure()) {
            request.setStatus(StatusCode.ERROR, done.outcome().label());
        }
        request.end();
    }

    private void nextPhase(String name) {
        if (upstream != null) {
            endPhase();
            phase = child(upstream, name, SpanKind.INTERNAL);
        }
    }

    private void endPhase() {
        if (phase != null) {
            phase.end();
            phase = null;
        }
    }

    private void endChecks() {
        if (checks != null) {
            checks.end();
            checks = null;
        }
    }

    private Span child(Span parent, String name, SpanKind kind) {
        return tracer.spanBuilder(name).setParent(Context.root().with(parent)).setSpanKind(kind).startSpan();
    }
}
