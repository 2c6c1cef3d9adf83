package dev.pitwall.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.BackendTimeouts;
import dev.pitwall.gateway.config.ConcurrencyConfig;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.config.QualityConfig;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.Faults;
import dev.pitwall.sim.engine.SimEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The quality-aware breaker over loopback HTTP: a backend that keeps answering 200 with broken
 * text is moved out of the traffic, with the evidence on the Serving API and in the audit log,
 * and comes back once its answers are good again.
 */
class QualityBreakerOverHttpTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ExecutorService THREADS = Executors.newVirtualThreadPerTaskExecutor();
    private static final String MODEL = "meta-llama/Meta-Llama-3-8B-Instruct";

    @TempDir
    Path dataDir;

    private SimEngine good;
    private SimEngine bad;
    private GatewayServer server;
    private String key;

    @AfterEach
    void stop() {
        server.close();
        good.close();
        bad.close();
    }

    private void start(double sampleRate) {
        good = SimEngine.start(EngineProfile.load("h100-llama3-8b"), 1, "127.0.0.1", 0);
        bad = SimEngine.start(EngineProfile.load("h100-llama3-8b"), 2, "127.0.0.1", 0);
        QualityConfig quality = new QualityConfig(true, sampleRate, 10, 5, 0.3, 0.6, 0.1, Duration.ofSeconds(3), 3, 0.5,
                null, null, null, null, null, null);
        server = new GatewayServer(GatewayConfig.defaults().withQuality(quality).withBackends(List.of(
                backend("good", good), backend("bad", bad))), dataDir);
        key = server.gateway().apiKeys().create("team-a", "test").secret();
    }

    private static BackendConfig backend(String name, SimEngine engine) {
        return new BackendConfig(name, engine.baseUrl().toString(), BackendKind.VLLM, List.of(MODEL), Map.of(), "", 1.0,
                64, ConcurrencyConfig.fixed(), BackendTimeouts.defaults());
    }

    private HttpResponse<String> chat(int i, boolean stream, boolean logprobs) throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"question " + i
                + "\"}],\"max_tokens\":40,\"stream\":" + stream + (logprobs ? ",\"logprobs\":true,\"top_logprobs\":2" : "")
                + "}";
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code n} requests at once (the engine batches them), half of them streamed. */
    private List<HttpResponse<String>> burst(int first, int n) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = first; i < first + n; i++) {
            int id = i;
            sent.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return chat(id, id % 2 == 0, false);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, THREADS));
        }
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            answers.add(f.get());
        }
        return answers;
    }

    private JsonNode serving() throws Exception {
        return Json.mapper().readTree(CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/serving")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private String stateOf(String backend) throws Exception {
        for (JsonNode b : serving().path("backends")) {
            if (b.path("name").asText().equals(backend)) {
                return b.path("breakers").get(0).path("state").asText();
            }
        }
        throw new AssertionError("no backend " + backend);
    }

    @ParameterizedTest(name = "{0}, logprobs sampled on {1} of requests")
    @CsvSource({"repetition, 1.0", "noise, 1.0", "noise, 0.0"})
    void movesABackendAnswering200WithBrokenTextOutAndBackIn(String fault, double sampleRate) throws Exception {
        start(sampleRate);
        // Healthy answers first: they set the model's usual character entropy (the measure
        // that finds noise when no logprobs come back).
        for (HttpResponse<String> answer : burst(0, 25)) {
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).as("log-probabilities the gateway asked for are not the client's")
                    .doesNotContain("top_logprobs");
        }
        JsonNode asked = Json.mapper().readTree(chat(99, false, true).body()).path("choices").get(0).path("logprobs");
        assertThat(asked.path("content").get(0).path("top_logprobs")).as("a client that asks gets its own").hasSize(2);
        assertThat(stateOf("bad")).isEqualTo("closed");

        bad.faults(Faults.output(Faults.OutputFault.valueOf(fault.toUpperCase())));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            burst(100, 6);
            return stateOf("bad").equals("open")
                    && serving().path("breakerEvents").path(0).path("to").asText().equals("open");
        });
        JsonNode evidence = serving().path("backends").get(1).path("breakers").get(0).path("evidence");
        assertThat(evidence.path("bad").asInt()).isGreaterThanOrEqualTo(6);
        assertThat(evidence.path("lastFault").asText()).isNotEmpty();
        JsonNode moves = serving().path("breakerEvents");
        assertThat(moves.get(0).path("to").asText()).isEqualTo("open");
        assertThat(moves.get(0).path("why").asText()).contains("answers bad");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(server.audit().recent(20)).extracting(e -> e.action()).contains("breaker.open"));

        Map<String, Integer> servedBy = new HashMap<>();
        for (int i = 0; i < 10 && stateOf("bad").equals("open"); i++) {
            HttpResponse<String> answer = chat(200 + i, false, false);
            if (!stateOf("bad").equals("open")) {
                break; // the cool-down ended while it was routed: half-open lets traffic back in
            }
            servedBy.merge(answer.headers().firstValue("x-pitwall-backend").orElse("none"), 1, Integer::sum);
        }
        assertThat(servedBy).as("while open, the broken backend gets no traffic").containsOnlyKeys("good");
        assertThat(servedBy.get("good")).isGreaterThanOrEqualTo(2);

        bad.faults(Faults.NONE);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            burst(300, 6);
            // A move is reported just after the breaker makes it, outside its lock.
            return stateOf("bad").equals("closed")
                    && serving().path("breakerEvents").path(0).path("to").asText().equals("closed");
        });
        assertThat(serving().path("breakerEvents")).extracting(m -> m.path("to").asText())
                .startsWith("closed", "half-open", "open");
        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("pitwall_gateway_breaker_state{backend=\"bad\",model=\"" + MODEL + "\"} 0.0")
                .contains("pitwall_gateway_breaker_transitions_total{backend=\"bad\",model=\"" + MODEL + "\",to=\"open\"}");
    }
}
