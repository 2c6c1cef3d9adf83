package dev.pitwall.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.core.tracing.TracingConfig;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.SimEngine;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With an OTLP endpoint configured, each gateway request becomes one trace with its phases as spans. */
class GatewayTracingTest {

    @TempDir
    Path dataDir;

    @Test
    void sendsOneTracePerRequestWithItsPhases() throws Exception {
        List<String> exported = new CopyOnWriteArrayList<>();
        WebServer collector = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
                .routing(HttpRouting.builder().post("/v1/traces", (req, res) -> {
                    exported.add(new String(req.content().as(byte[].class), StandardCharsets.ISO_8859_1));
                    res.send();
                })).build().start();
        EngineProfile profile = EngineProfile.load("h100-llama3-8b");
        try (SimEngine engine = SimEngine.start(profile, 4, "127.0.0.1", 0)) {
            Pitwall pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                    .withServer(ServerConfig.defaults().withPort(0))
                    .withTracing(new TracingConfig("http://127.0.0.1:" + collector.port(), "pitwall-gw", 1.0))
                    .withGateway(GatewayConfig.defaults().withBackends(List.of(BackendConfig.of("sim-a",
                            engine.baseUrl().toString(), BackendKind.VLLM, List.of(profile.model()),
                            Map.of("llama3-8b", profile.model()))))), Clock.systemUTC());
            try {
                String key = pitwall.gateway().apiKeys().create("traced", "test").secret();
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + pitwall.port() + "/v1/chat/completions"))
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3-8b\",\"stream\":true,"
                                + "\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"trace me\"}]}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
            } finally {
                pitwall.close(); // flushes the spans
            }
        } finally {
            collector.stop();
        }
        String all = String.join("", exported);
        assertThat(all).contains("pitwall-gw")
                .contains("POST /v1/chat/completions")
                .contains("checks")
                .contains("upstream sim-a")
                .contains("connect")
                .contains("first token")
                .contains("streaming")
                .contains("traced")
                .contains("success");
    }

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    @Test
    void continuesTheCallersTraceAndPassesItToTheBackend() throws Exception {
        List<String> exported = new CopyOnWriteArrayList<>();
        WebServer collector = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
                .routing(HttpRouting.builder().post("/v1/traces", (req, res) -> {
                    exported.add(HexFormat.of().formatHex(req.content().as(byte[].class)));
                    res.send();
                })).build().start();
        List<String> sentUpstream = new CopyOnWriteArrayList<>();
        WebServer backend = recordingBackend(sentUpstream);
        try {
            ask(backend, new TracingConfig("http://127.0.0.1:" + collector.port(), "pitwall-gw", 1.0));
            // Traced: the backend sees the caller's trace with the gateway's upstream span as parent.
            assertThat(sentUpstream).singleElement().satisfies(traceparent -> {
                assertThat(traceparent).startsWith("00-" + TRACE_ID + "-").isNotEqualTo(CALLER);
                assertThat(String.join("", exported)).contains(TRACE_ID)
                        .contains(traceparent.substring(36, 52)); // the upstream span's id, exported
            });

            sentUpstream.clear();
            ask(backend, TracingConfig.defaults());
            // Not traced: the caller's context goes on as it came.
            assertThat(sentUpstream).containsExactly(CALLER);
        } finally {
            backend.stop();
            collector.stop();
        }
    }

    private void ask(WebServer backend, TracingConfig tracing) throws Exception {
        Pitwall pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(ServerConfig.defaults().withPort(0)).withTracing(tracing)
                .withGateway(GatewayConfig.defaults().withBackends(List.of(BackendConfig.of("stub",
                        "http://127.0.0.1:" + backend.port() + "/v1", BackendKind.OPENAI_COMPATIBLE, List.of("stub-model"), Map.of())))),
                Clock.systemUTC());
        try {
            String key = pitwall.gateway().apiKeys().create("traced-" + System.nanoTime(), "test").secret();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + pitwall.port() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key)
                    .header("traceparent", CALLER)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stub-model\",\"messages\":"
                            + "[{\"role\":\"user\",\"content\":\"trace me\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        } finally {
            pitwall.close(); // flushes the spans
        }
    }

    /** An OpenAI-compatible backend that answers every chat with one word and keeps the traceparent it was sent. */
    private static WebServer recordingBackend(List<String> traceparents) {
        return WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
                .routing(HttpRouting.builder().post("/v1/chat/completions", (req, res) -> {
                    req.headers().first(io.helidon.http.HeaderNames.create("traceparent")).ifPresent(traceparents::add);
                    res.header(io.helidon.http.HeaderValues.CONTENT_TYPE_JSON);
                    res.send("""
                            {"id":"chatcmpl-1","object":"chat.completion","created":0,"model":"stub-model",
                             "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
                             "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""");
                }).get("/v1/models", (req, res) -> res.send("{\"object\":\"list\",\"data\":[]}"))).build().start();
    }
}
