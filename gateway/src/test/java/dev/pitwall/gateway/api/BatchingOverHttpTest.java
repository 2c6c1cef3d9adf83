package dev.pitwall.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.BackendTimeouts;
import dev.pitwall.gateway.config.BatchingConfig;
import dev.pitwall.gateway.config.ConcurrencyConfig;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.SimEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Embeddings calls merged into one upstream call over loopback HTTP, answers split back in order. */
class BatchingOverHttpTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    private static final String MODEL = "BAAI/bge-large-en-v1.5";

    @TempDir
    Path dataDir;

    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
    private SimEngine engine;
    private GatewayServer server;
    private String key;

    @AfterEach
    void stop() {
        callers.shutdownNow();
        server.close();
        engine.close();
    }

    private void start(BatchingConfig batching) {
        engine = SimEngine.start(EngineProfile.load("h100-llama3-8b"), 4, "127.0.0.1", 0);
        server = new GatewayServer(GatewayConfig.defaults().withBatching(batching).withBackends(List.of(
                new BackendConfig("sim", engine.baseUrl().toString(), BackendKind.VLLM,
                        List.of(engine.profile().model(), MODEL), Map.of(), "", 1.0, 256, ConcurrencyConfig.fixed(),
                        BackendTimeouts.defaults()))), dataDir);
        key = server.gateway().apiKeys().create("team-a", "test").secret();
    }

    private HttpResponse<String> embed(String input, URI base, boolean auth) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/v1/embeddings"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL + "\",\"input\":" + input + "}"));
        if (auth) {
            request.header("Authorization", "Bearer " + key);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI gateway() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** {@code inputs.size()} callers released at once, each with its own input. */
    private List<HttpResponse<String>> together(List<String> inputs) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> sent = new ArrayList<>();
        for (String input : inputs) {
            sent.add(callers.submit(() -> {
                go.await();
                return embed(input, gateway(), true);
            }));
        }
        go.countDown();
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (Future<HttpResponse<String>> f : sent) {
            answers.add(f.get());
        }
        return answers;
    }

    private double metric(String name) throws Exception {
        String text = CLIENT.send(HttpRequest.newBuilder(gateway().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*} (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void concurrentCallsShareUpstreamCallsAndEachGetsItsOwnEmbeddingsInOrder() throws Exception {
        start(BatchingConfig.defaults());
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            inputs.add(i % 3 == 0 ? "[\"caller " + i + " first\",\"caller " + i + " second\"]" : "\"caller " + i + "\"");
        }
        List<HttpResponse<String>> answers = together(inputs);
        long promptTokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            HttpResponse<String> answer = answers.get(i);
            assertThat(answer.statusCode()).isEqualTo(200);
            JsonNode own = Json.mapper().readTree(answer.body());
            // The engine's embeddings are a function of the text: asked directly, one caller's input
            // gives exactly the vectors the gateway handed that caller.
            JsonNode direct = Json.mapper().readTree(embed(inputs.get(i), URI.create("http://127.0.0.1:" + engine.port()),
                    false).body());
            assertThat(own.path("data").size()).isEqualTo(direct.path("data").size());
            for (int k = 0; k < own.path("data").size(); k++) {
                assertThat(own.path("data").get(k).path("index").asInt()).isEqualTo(k);
                assertThat(own.path("data").get(k).path("embedding")).isEqualTo(direct.path("data").get(k).path("embedding"));
            }
            assertThat(own.path("model").asText()).isEqualTo(MODEL);
            promptTokens += own.path("usage").path("prompt_tokens").asLong();
        }
        double calls = metric("pitwall_gateway_batch_calls_total");
        assertThat(calls).as("48 callers at once share upstream calls").isBetween(1.0, 23.0);
        assertThat(metric("pitwall_gateway_batch_inputs_max")).isGreaterThan(2);
        assertThat(promptTokens).as("usage apportioned: the shares add up to what the backend counted")
                .isEqualTo((long) metric("pitwall_gateway_prompt_tokens_total"));
    }

    @Test
    void oneCallersBadInputFailsOnlyThatCaller() throws Exception {
        start(BatchingConfig.defaults());
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            inputs.add(i == 5 ? "[\"fine\",\"\"]" : "\"caller " + i + "\"");
        }
        List<HttpResponse<String>> answers = together(inputs);
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(answers.get(i).statusCode()).as("caller %d", i).isEqualTo(i == 5 ? 400 : 200);
        }
        assertThat(Json.mapper().readTree(answers.get(5).body()).path("error").path("message").asText())
                .contains("input[1]");
        assertThat(metric("pitwall_gateway_batch_inputs_max")).as("the bad input was merged with others first")
                .isGreaterThan(2);
    }

    @Test
    void withBatchingOffNoCallIsMerged() throws Exception {
        start(BatchingConfig.off());
        List<HttpResponse<String>> answers = together(List.of("\"a\"", "\"b\"", "\"c\"", "\"d\""));
        assertThat(answers).allSatisfy(a -> assertThat(a.statusCode()).isEqualTo(200));
        assertThat(metric("pitwall_gateway_batch_calls_total")).isZero();
    }
}
