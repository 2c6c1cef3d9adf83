package dev.pitwall.core.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Spans reach an OTLP/HTTP collector on loopback; nothing is sent when no endpoint is set. */
class TracingTest {

    private record Received(String contentType, byte[] body) {
    }

    @Test
    void sendsSpansToTheConfiguredCollector() {
        List<Received> received = new CopyOnWriteArrayList<>();
        WebServer collector = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
                .routing(HttpRouting.builder().post("/v1/traces", (req, res) -> {
                    received.add(new Received(req.headers().contentType().map(Object::toString).orElse(""),
                            req.content().as(byte[].class)));
                    res.send();
                })).build().start();
        try {
            Tracing tracing = Tracing.create(new TracingConfig("http://127.0.0.1:" + collector.port(), "pitwall-test", 1.0),
                    "1.2.3");
            Span span = tracing.tracer("dev.pitwall.test").spanBuilder("gateway request").startSpan();
            span.setAttribute("gen_ai.request.model", "llama3-8b");
            span.end();
            tracing.close(); // flushes the batch before returning
        } finally {
            collector.stop();
        }
        assertThat(received).hasSize(1);
        assertThat(received.getFirst().contentType()).startsWith("application/x-protobuf");
        // Protobuf keeps strings as UTF-8 bytes: the span's name and attributes are readable in the body.
        String body = new String(received.getFirst().body(), StandardCharsets.ISO_8859_1);
        assertThat(body).contains("gateway request").contains("llama3-8b").contains("pitwall-test").contains("1.2.3");
    }

    @Test
    void recordsNothingWithoutAnEndpoint() {
        try (Tracing tracing = Tracing.create(TracingConfig.defaults(), "1")) {
            Span span = tracing.tracer("dev.pitwall.test").spanBuilder("x").startSpan();
            assertThat(span.isRecording()).isFalse();
            assertThat(span.getSpanContext().isValid()).isFalse();
            span.end();
        }
    }
}
