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
                .contains("queue")
                .contains("upstream sim-a")
                .contains("connect")
                .contains("first token")
                .contains("streaming")
                .contains("traced")
                .contains("success");
    }
}
