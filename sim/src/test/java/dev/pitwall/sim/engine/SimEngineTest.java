package dev.pitwall.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated engine over HTTP, as an OpenAI client or Pitwall's gateway meets it. */
class SimEngineTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String MODEL = "meta-llama/Meta-Llama-3-8B-Instruct";

    private SimEngine engine;

    @BeforeEach
    void start() {
        engine = SimEngine.start(EngineProfile.load("h100-llama3-8b"), 42, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(String content, int maxTokens, boolean stream) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}],"
                + "\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                + ",\"stream_options\":{\"include_usage\":true}}";
    }

    /** The data lines of an SSE stream, read as they arrive. */
    private List<String> streamEvents(String body) throws Exception {
        HttpResponse<InputStream> response = CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + "/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        List<String> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    events.add(line.substring(6));
                }
            }
        }
        return events;
    }

    @Test
    void listsItsModel() throws Exception {
        JsonNode models = Json.mapper().readTree(get("/v1/models").body());
        assertThat(models.path("data").get(0).path("id").asText()).isEqualTo(MODEL);
        assertThat(models.path("data").get(0).path("max_model_len").asInt()).isEqualTo(8192);
    }

    @Test
    void answersTheSameRequestTheSameWay() throws Exception {
        JsonNode first = Json.mapper().readTree(post("/v1/chat/completions", chat("hello there", 40, false)).body());
        JsonNode second = Json.mapper().readTree(post("/v1/chat/completions", chat("hello there", 40, false)).body());
        String content = first.path("choices").get(0).path("message").path("content").asText();
        assertThat(content).isNotBlank().isEqualTo(second.path("choices").get(0).path("message").path("content").asText());
        JsonNode usage = first.path("usage");
        assertThat(usage.path("completion_tokens").asInt()).isBetween(1, 40);
        assertThat(usage.path("prompt_tokens").asInt()).isPositive();
        assertThat(usage.path("total_tokens").asInt())
                .isEqualTo(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt());
    }

    @Test
    void streamsTheSameAnswerTokenByTokenEndingWithUsageAndDone() throws Exception {
        JsonNode whole = Json.mapper().readTree(post("/v1/chat/completions", chat("stream me", 30, false)).body());
        List<String> events = streamEvents(chat("stream me", 30, true));

        assertThat(events.getLast()).isEqualTo("[DONE]");
        StringBuilder content = new StringBuilder();
        List<JsonNode> chunks = new ArrayList<>();
        for (String event : events.subList(0, events.size() - 1)) {
            chunks.add(Json.mapper().readTree(event));
        }
        assertThat(chunks.getFirst().path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
        for (JsonNode chunk : chunks) {
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            for (JsonNode choice : chunk.path("choices")) {
                content.append(choice.path("delta").path("content").asText(""));
            }
        }
        assertThat(content.toString()).isEqualTo(whole.path("choices").get(0).path("message").path("content").asText());
        JsonNode usage = chunks.getLast().path("usage");
        assertThat(chunks.getLast().path("choices")).isEmpty();
        assertThat(usage).isEqualTo(whole.path("usage"));
        assertThat(chunks.get(chunks.size() - 2).path("choices").get(0).path("finish_reason").asText())
                .isEqualTo(whole.path("choices").get(0).path("finish_reason").asText());
    }

    @Test
    void countsTokensAndRequestsUnderVllmMetricNames() throws Exception {
        JsonNode answer = Json.mapper().readTree(post("/v1/chat/completions", chat("count me", 20, false)).body());
        String metrics = get("/metrics").body();
        String label = "{model_name=\"" + MODEL + "\"}";
        assertThat(metrics)
                .contains("vllm:prompt_tokens_total" + label + " " + answer.path("usage").path("prompt_tokens").asInt())
                .contains("vllm:generation_tokens_total" + label + " " + answer.path("usage").path("completion_tokens").asInt())
                .contains("vllm:num_requests_running" + label + " 0")
                .contains("vllm:num_requests_waiting" + label)
                .contains("vllm:kv_cache_usage_perc" + label)
                .contains("vllm:time_to_first_token_seconds_count" + label + " 1")
                .contains("vllm:e2e_request_latency_seconds_bucket");
    }

    @Test
    void embedsStringsAndArraysAsUnitVectors() throws Exception {
        JsonNode one = Json.mapper().readTree(post("/v1/embeddings",
                "{\"model\":\"" + MODEL + "\",\"input\":\"gpu\"}").body());
        JsonNode two = Json.mapper().readTree(post("/v1/embeddings",
                "{\"model\":\"" + MODEL + "\",\"input\":[\"gpu\",\"nccl\"]}").body());
        assertThat(one.path("data")).hasSize(1);
        assertThat(two.path("data")).hasSize(2);
        assertThat(two.path("data").get(0).path("embedding")).isEqualTo(one.path("data").get(0).path("embedding"));
        double norm = 0;
        for (JsonNode v : one.path("data").get(0).path("embedding")) {
            norm += v.asDouble() * v.asDouble();
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(one.path("data").get(0).path("embedding")).hasSize(1024);
    }

    @Test
    void servesAnEmbeddingModelListedBesideTheChatModel() throws Exception {
        JsonNode models = Json.mapper().readTree(get("/v1/models").body());
        assertThat(models.path("data")).extracting(m -> m.path("id").asText())
                .containsExactly(MODEL, "BAAI/bge-large-en-v1.5");
        HttpResponse<String> embedded = post("/v1/embeddings", "{\"model\":\"BAAI/bge-large-en-v1.5\",\"input\":[\"a\",\"b\"]}");
        assertThat(embedded.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(embedded.body()).path("model").asText()).isEqualTo("BAAI/bge-large-en-v1.5");
        HttpResponse<String> empty = post("/v1/embeddings", "{\"model\":\"BAAI/bge-large-en-v1.5\",\"input\":[\"a\",\"\"]}");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(Json.mapper().readTree(empty.body()).path("error").path("message").asText()).contains("input[1]");
    }

    @Test
    void returnsLogprobsWhenAskedInChatsAndCompletionsShape() throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_tokens\":20,\"logprobs\":true,\"top_logprobs\":3}";
        JsonNode chat = Json.mapper().readTree(post("/v1/chat/completions", body).body()).path("choices").get(0);
        JsonNode content = chat.path("logprobs").path("content");
        StringBuilder joined = new StringBuilder();
        for (JsonNode token : content) {
            joined.append(token.path("token").asText());
            assertThat(token.path("logprob").asDouble()).isBetween(-1.0, 0.0);
            assertThat(token.path("top_logprobs")).hasSize(3);
            assertThat(token.path("top_logprobs").get(0).path("token").asText()).isEqualTo(token.path("token").asText());
        }
        assertThat(joined.toString()).isEqualTo(chat.path("message").path("content").asText());

        JsonNode none = Json.mapper().readTree(post("/v1/chat/completions", chat("hi", 5, false)).body());
        assertThat(none.path("choices").get(0).path("logprobs").isNull()).isTrue();

        JsonNode completion = Json.mapper().readTree(post("/v1/completions",
                "{\"model\":\"" + MODEL + "\",\"prompt\":\"hi\",\"max_tokens\":10,\"logprobs\":2}").body())
                .path("choices").get(0).path("logprobs");
        assertThat(completion.path("tokens").size()).isEqualTo(completion.path("token_logprobs").size())
                .isEqualTo(completion.path("text_offset").size()).isPositive();
        assertThat(completion.path("top_logprobs").get(0).size()).isEqualTo(2);

        HttpResponse<String> bad = post("/v1/chat/completions", "{\"model\":\"" + MODEL
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_logprobs\":3}");
        assertThat(bad.statusCode()).as("top_logprobs without logprobs").isEqualTo(400);
    }

    @Test
    void breaksItsOutputOnDemandWithLogprobsToMatch() throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_tokens\":60,\"logprobs\":true,\"top_logprobs\":5}";
        post("/admin/faults", "{\"output\":\"repetition\"}");
        JsonNode repeated = Json.mapper().readTree(post("/v1/chat/completions", body).body()).path("choices").get(0);
        String text = repeated.path("message").path("content").asText();
        List<String> words = List.of(text.trim().split(" "));
        assertThat(words.size()).isGreaterThan(12);
        for (int i = 3; i < words.size(); i++) {
            assertThat(words.get(i)).as("word %d repeats the phrase", i).isEqualTo(words.get(i % 3));
        }
        assertThat(repeated.path("logprobs").path("content").get(5).path("logprob").asDouble()).isGreaterThan(-0.05);

        post("/admin/faults", "{\"output\":\"noise\"}");
        JsonNode noisy = Json.mapper().readTree(post("/v1/chat/completions", body).body()).path("choices").get(0);
        assertThat(noisy.path("message").path("content").asText()).doesNotContain("the cluster");
        assertThat(noisy.path("logprobs").path("content").get(0).path("logprob").asDouble()).isLessThan(-2.9);
        JsonNode sentinel = noisy.path("logprobs").path("content").get(6).path("top_logprobs").get(4);
        assertThat(sentinel.path("logprob").asDouble()).as("vLLM's stand-in for minus infinity").isEqualTo(-9999.0);

        HttpResponse<String> unknown = post("/admin/faults", "{\"output\":\"gibberish\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
    }

    @Test
    void refusesUnknownModelsAndOverlongRequests() throws Exception {
        HttpResponse<String> unknown = post("/v1/chat/completions",
                "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Json.mapper().readTree(unknown.body()).path("error").path("code").asText()).isEqualTo("model_not_found");

        HttpResponse<String> tooLong = post("/v1/completions",
                "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + "x".repeat(40_000) + "\",\"max_tokens\":10}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(Json.mapper().readTree(tooLong.body()).path("error").path("code").asText())
                .isEqualTo("context_length_exceeded");

        // A short prompt asking for more tokens than the context holds: refused as vLLM does, not cut quietly.
        HttpResponse<String> tooMany = post("/v1/chat/completions", chat("hello", 100_000, false));
        assertThat(tooMany.statusCode()).isEqualTo(400);
        JsonNode error = Json.mapper().readTree(tooMany.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(error.path("param").asText()).isEqualTo("max_tokens");
        assertThat(error.path("message").asText()).startsWith("This model's maximum context length is 8192 tokens");
        assertThat(post("/v1/chat/completions", chat("hello", 8000, false)).statusCode()).isEqualTo(200);
    }

    @Test
    void givesEachAnswerItsOwnId() throws Exception {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 5; i++) {
            ids.add(Json.mapper().readTree(post("/v1/chat/completions", chat("same", 5, false)).body()).path("id").asText());
        }
        // A second engine, as the demo runs two: its ids are no copies of the first's.
        try (SimEngine other = SimEngine.start(EngineProfile.load("h100-llama3-8b"), 42, "127.0.0.1", 0)) {
            HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port()
                    + "/v1/chat/completions")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(chat("same", 5, false))).build(), HttpResponse.BodyHandlers.ofString());
            ids.add(Json.mapper().readTree(answer.body()).path("id").asText());
        }
        assertThat(ids).hasSize(6).allSatisfy(id -> assertThat(id).matches("chatcmpl-[0-9a-f]{32}"));
    }

    @Test
    void failsOnDemandWithTheInjectedStatus() throws Exception {
        HttpResponse<String> set = post("/admin/faults", "{\"error_rate\":1.0,\"error_status\":503}");
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(post("/v1/chat/completions", chat("x", 5, false)).statusCode()).isEqualTo(503);
        CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + "/admin/faults"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post("/v1/chat/completions", chat("x", 5, false)).statusCode()).isEqualTo(200);
        assertThat(post("/admin/faults", "{\"error_rate\":7}").statusCode()).isEqualTo(400);
    }

    @Test
    void cutsTheConnectionMidStreamOnDemand() throws Exception {
        engine.faults(new Faults(1.0, 0, 503, -1, 3, false));
        assertThatThrownBy(() -> streamEvents(chat("drop me", 50, true))).isInstanceOf(IOException.class);
    }

    @Test
    void sendsUnreadableEventsOnDemand() throws Exception {
        engine.faults(new Faults(1.0, 0, 503, -1, -1, true));
        List<String> events = streamEvents(chat("garbage", 5, true));
        assertThat(events).anySatisfy(event -> assertThat(event).contains("<garbage"));
    }
}
