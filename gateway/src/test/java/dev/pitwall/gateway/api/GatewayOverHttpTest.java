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
import dev.pitwall.gateway.config.LimitAlgorithm;
import dev.pitwall.gateway.contract.OpenApiContract;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.Faults;
import dev.pitwall.sim.engine.SimEngine;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway as OpenAI clients meet it, in front of simulated vLLM engines reached over
 * loopback HTTP exactly as real ones are.
 */
class GatewayOverHttpTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String MODEL = "meta-llama/Meta-Llama-3-8B-Instruct";

    @TempDir
    Path dataDir;

    private final List<AutoCloseable> running = new ArrayList<>();
    private GatewayServer server;
    private String apiKey;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        for (AutoCloseable closeable : running.reversed()) {
            closeable.close();
        }
    }

    private SimEngine engine(Faults faults) {
        SimEngine engine = SimEngine.start(EngineProfile.load("h100-llama3-8b"), 3, "127.0.0.1", 0);
        engine.faults(faults);
        running.add(engine);
        return engine;
    }

    private static BackendConfig backend(String name, String url, double weight, int maxInFlight, BackendTimeouts timeouts) {
        return new BackendConfig(name, url, BackendKind.VLLM, List.of(MODEL), Map.of("llama3-8b", MODEL), "",
                weight, maxInFlight, ConcurrencyConfig.fixed(), timeouts);
    }

    private static BackendConfig backend(String name, String url, double weight) {
        return backend(name, url, weight, 256, BackendTimeouts.defaults());
    }

    private void startGateway(BackendConfig... backends) {
        startGateway(GatewayConfig.defaults().withBackends(List.of(backends)));
    }

    private void startGateway(GatewayConfig gateway) {
        server = new GatewayServer(gateway, dataDir);
        apiKey = server.gateway().apiKeys().create("team-a", "test").secret();
    }

    /**
     * The gateway in front of a raw-socket backend, health-checked (as llama.cpp is) once at
     * start only: its connections carry the test's requests alone.
     */
    private void startGateway(String name, RawBackend backend) {
        startGateway(GatewayConfig.defaults().withProbeInterval(Duration.ofHours(1)).withBackends(List.of(
                new BackendConfig(name, backend.baseUrl(), BackendKind.LLAMACPP, List.of(MODEL), Map.of("llama3-8b", MODEL),
                        "", 1.0, 256, null, BackendTimeouts.defaults()))));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + apiKey);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(int maxTokens, boolean stream) {
        return "{\"model\":\"llama3-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"tell me\"}],\"max_tokens\":"
                + maxTokens + ",\"stream\":" + stream + ",\"stream_options\":{\"include_usage\":true}}";
    }

    /** Every data payload of a streamed answer, in order. */
    private List<String> events(String body) throws Exception {
        return lines(body).stream().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6)).toList();
    }

    /** Every line of a streamed answer, comments and blank lines included, in order. */
    private List<String> lines(String body) throws Exception {
        HttpResponse<InputStream> response = CLIENT.send(request("/v1/chat/completions")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(response.headers().allValues("cache-control")).containsExactly("no-cache");
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        }
    }

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    private static final OpenApiContract CONTRACT = new OpenApiContract();

    /** Contract test: the gateway's answers are what its own OpenAPI document promises. */
    private static JsonNode conforming(String schema, String text) throws Exception {
        JsonNode node = json(text);
        assertThat(CONTRACT.check(schema, node)).as("%s against %s", text, schema).isEmpty();
        return node;
    }

    @Test
    void streamsEveryChunkInOrderWithUsageAndDone() throws Exception {
        SimEngine engine = engine(Faults.NONE);
        startGateway(backend("sim", engine.baseUrl().toString(), 1));
        JsonNode whole = conforming("ChatCompletion", post("/v1/chat/completions", chat(40, false)).body());
        List<String> events = events(chat(40, true));

        assertThat(events.getLast()).isEqualTo("[DONE]");
        StringBuilder content = new StringBuilder();
        for (String event : events.subList(0, events.size() - 1)) {
            for (JsonNode choice : conforming("ChatCompletionChunk", event).path("choices")) {
                content.append(choice.path("delta").path("content").asText(""));
            }
        }
        assertThat(content.toString()).isEqualTo(whole.path("choices").get(0).path("message").path("content").asText());
        assertThat(json(events.get(events.size() - 2)).path("usage")).isEqualTo(whole.path("usage"));
        assertThat(whole.path("usage").path("completion_tokens").asInt()).isBetween(1, 40);
    }

    @Test
    void countsTokensAndLatenciesPerModelBackendAndTenant() throws Exception {
        SimEngine engine = engine(Faults.NONE);
        startGateway(backend("sim", engine.baseUrl().toString(), 1));
        String noUsage = "{\"model\":\"llama3-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_tokens\":12,\"stream\":true}";
        List<String> events = events(noUsage);
        assertThat(events).as("no usage chunk unless the client asks").noneMatch(e -> e.contains("\"usage\""));
        JsonNode whole = json(post("/v1/chat/completions", chat(12, false)).body());
        post("/v1/chat/completions", "{\"model\":\"gpt-99\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        String metrics = CLIENT.send(HttpRequest.newBuilder(uri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String labels = "backend=\"sim\",model=\"llama3-8b\",tenant=\"team-a\"";
        int streamedTokens = events.size() - 3; // role chunk, finish chunk, [DONE]
        long completion = 12 + whole.path("usage").path("completion_tokens").asLong();
        assertThat(metrics)
                .contains("pitwall_gateway_requests_total{backend=\"sim\",model=\"llama3-8b\",outcome=\"success\","
                        + "tenant=\"team-a\"} 2.0")
                .contains("pitwall_gateway_requests_total{backend=\"none\",model=\"unknown\",outcome=\"client_error\","
                        + "tenant=\"team-a\"} 1.0")
                .contains("pitwall_gateway_time_to_first_token_seconds_count{" + labels + "} 1")
                .contains("pitwall_gateway_queue_length{backend=\"sim\"} 0.0")
                .contains("pitwall_gateway_shed_total{backend=\"sim\",reason=\"queue_full\"} 0.0")
                .doesNotContain("pitwall_gateway_queue_wait_seconds_count") // nobody had to wait
                .contains("pitwall_gateway_inter_token_latency_seconds_count{" + labels + "} " + (streamedTokens - 1))
                .contains("pitwall_gateway_completion_tokens_total{" + labels + "} " + completion + ".0")
                .contains("pitwall_gateway_request_duration_seconds_count{" + labels + "} 2")
                .contains("pitwall_gateway_output_tokens_per_second_count{" + labels + "} 2")
                .contains("pitwall_gateway_in_flight{backend=\"sim\"} 0.0")
                .contains("pitwall_gateway_limit{backend=\"sim\"} 256.0");
        assertThat(streamedTokens).isEqualTo(12);
    }

    @Test
    void seesEngineLoadAndHealthThroughTheirOwnEndpoints() throws Exception {
        SimEngine busy = engine(new Faults(20.0, 0, 503, -1, -1, false));
        SimEngine stopping = engine(Faults.NONE);
        startGateway(backend("busy", busy.baseUrl().toString(), 1), backend("stopping", stopping.baseUrl().toString(), 1));
        var monitor = server.gateway().monitor();
        var busyBackend = server.gateway().router().backends().get(0);
        var stoppingBackend = server.gateway().router().backends().get(1);

        // Another client, straight to the engine: load the gateway did not send.
        CompletableFuture<HttpResponse<String>> elsewhere = CLIENT.sendAsync(HttpRequest.newBuilder(busy.baseUrl()
                        .resolve("/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(chat(100, false)
                        .replace("llama3-8b", MODEL))).build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            monitor.probe(busyBackend);
            return busyBackend.engineLoad() != null && busyBackend.engineLoad().running() == 1;
        });
        assertThat(busyBackend.healthy()).isTrue();
        assertThat(busyBackend.inFlight()).isZero();

        stopping.close();
        running.remove(stopping);
        // Down after three failed health checks in a row (gateway.down-after-probes), not after one.
        monitor.probe(stoppingBackend);
        monitor.probe(stoppingBackend);
        assertThat(stoppingBackend.healthy()).as("two failed checks are not yet down").isTrue();
        monitor.probe(stoppingBackend);
        assertThat(stoppingBackend.healthy()).isFalse();
        elsewhere.cancel(true);
    }

    @Test
    void servesCompletionsEmbeddingsAndTheModelList() throws Exception {
        SimEngine engine = engine(Faults.NONE);
        startGateway(backend("sim", engine.baseUrl().toString(), 1));
        JsonNode completion = conforming("Completion", post("/v1/completions",
                "{\"model\":\"llama3-8b\",\"prompt\":\"Once\",\"max_tokens\":5}").body());
        assertThat(completion.path("object").asText()).isEqualTo("text_completion");
        assertThat(completion.path("choices").get(0).path("text").asText()).isNotBlank();

        JsonNode embeddings = conforming("EmbeddingList",
                post("/v1/embeddings", "{\"model\":\"llama3-8b\",\"input\":[\"a\",\"b\",\"c\"]}").body());
        assertThat(embeddings.path("data")).hasSize(3);

        JsonNode models = conforming("ModelList", CLIENT.send(request("/v1/models").build(),
                HttpResponse.BodyHandlers.ofString()).body());
        HttpResponse<String> document = CLIENT.send(HttpRequest.newBuilder(uri("/openapi.yaml")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(document.body()).startsWith("openapi: 3.1.0").contains("/chat/completions:");
        assertThat(models.path("data").findValuesAsText("id")).containsExactly(MODEL, "llama3-8b");
    }

    @Test
    void passesUnknownFieldsThroughAndAsksForTheBackendsModelName() throws Exception {
        AtomicReference<String> received = new AtomicReference<>();
        AtomicReference<String> authorization = new AtomicReference<>();
        WebServer echo = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
                .routing(HttpRouting.builder().post("/v1/chat/completions", (req, res) -> {
                    received.set(req.content().as(String.class));
                    authorization.set(req.headers().first(io.helidon.http.HeaderNames.AUTHORIZATION).orElse(""));
                    res.header("Content-Type", "application/json");
                    res.send("{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}");
                })).build().start();
        running.add(echo::stop);
        startGateway(backend("echo", "http://127.0.0.1:" + echo.port() + "/v1", 1));
        HttpResponse<String> response = post("/v1/chat/completions", "{\"model\":\"llama3-8b\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"guided_json\":{\"type\":\"object\"},\"top_k\":5}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-pitwall-backend")).hasValue("echo");
        JsonNode sent = json(received.get());
        assertThat(sent.path("model").asText()).isEqualTo(MODEL);
        assertThat(sent.path("guided_json").path("type").asText()).isEqualTo("object");
        assertThat(sent.path("top_k").asInt()).isEqualTo(5);
        assertThat(authorization.get()).isEmpty();
    }

    @Test
    void failsOverToAnotherBackendBeforeTheFirstByte() throws Exception {
        SimEngine failing = engine(new Faults(1.0, 1.0, 503, -1, -1, false));
        SimEngine healthy = engine(Faults.NONE);
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        // Weights make the broken backends the first choice nearly always.
        startGateway(backend("failing", failing.baseUrl().toString(), 1000),
                backend("refusing", "http://127.0.0.1:" + closedPort + "/v1", 1000),
                backend("healthy", healthy.baseUrl().toString(), 0.001));
        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String> response = post("/v1/chat/completions", chat(5, stream));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-pitwall-backend")).hasValue("healthy");
        }
    }

    /**
     * A backend that starts its stream and sends nothing past the first token's deadline, before a
     * heartbeat has gone to the client: its connection is closed, and the next backend serves the
     * stream whole.
     */
    @Test
    void triesTheNextBackendWhenTheFirstSendsNoTokenInTimeBeforeAnyByteWentOut() throws Exception {
        RawBackend silent = new RawBackend((post, onConnection) -> RawBackend.Reply.SILENT);
        running.add(silent);
        SimEngine healthy = engine(Faults.NONE);
        BackendTimeouts quick = new BackendTimeouts(Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(10),
                Duration.ofSeconds(60));
        startGateway(backend("silent", silent.baseUrl(), 1000, 10, quick),
                backend("healthy", healthy.baseUrl().toString(), 0.001));
        HttpResponse<InputStream> response = CLIENT.send(request("/v1/chat/completions")
                .POST(HttpRequest.BodyPublishers.ofString(chat(5, true))).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.headers().firstValue("x-pitwall-backend")).hasValue("healthy");
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(reader.lines().toList()).contains("data: [DONE]").noneMatch(line -> line.contains("\"error\""));
        }
        assertThat(silent.closedAt.get(5, TimeUnit.SECONDS)).isPositive();
    }

    @Test
    void endsAStreamThatBreaksWithAnErrorEvent() throws Exception {
        SimEngine dropping = engine(new Faults(1.0, 0, 503, -1, 3, false));
        startGateway(backend("dropping", dropping.baseUrl().toString(), 1));
        List<String> events = events(chat(50, true));
        JsonNode last = json(events.getLast());
        assertThat(last.path("error").path("type").asText()).isEqualTo("server_error");
        assertThat(last.path("error").path("code").asText()).isEqualTo("upstream_incomplete");
        assertThat(last.path("error").path("message").asText()).startsWith("backend dropping broke off the stream");
        assertThat(events).hasSize(1 + 3 + 1).doesNotContain("[DONE]");
    }

    @Test
    void endsAStreamWithUnreadableEventsWithAnErrorEvent() throws Exception {
        SimEngine garbage = engine(new Faults(1.0, 0, 503, -1, -1, true));
        startGateway(backend("garbage", garbage.baseUrl().toString(), 1));
        List<String> events = events(chat(10, true));
        assertThat(json(events.getLast()).path("error").path("code").asText()).isEqualTo("upstream_invalid");
        assertThat(events).noneMatch(event -> event.contains("<garbage"));
    }

    /**
     * A stream's three deadlines, each ended with an error event that names it: a silence after
     * two tokens (idle); the role's event and then nothing, which the first token's deadline
     * covers, not the idle one (the prefill may take longer than a gap between tokens); tokens
     * still flowing when the whole answer's time is up.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            silent after two tokens     | 1  | 2  | 10000 | 700   | 60000 | 700  | no token for 700 ms
            the role's event, then none | 1  | 0  | 1500  | 300   | 60000 | 1500 | no first token within 1500 ms
            slower than the whole answer| 20 | -1 | 10000 | 10000 | 1000  | 1000 | the answer took longer than 1 s
            """)
    void endsAStreamWhoseDeadlinePassesWithAnErrorEventNamingIt(String what, double slowdown, int hangAfterTokens,
            long firstTokenMs, long idleMs, long totalMs, long deadlineMs, String why) throws Exception {
        SimEngine engine = engine(new Faults(slowdown, 0, 503, hangAfterTokens, -1, false));
        BackendTimeouts timeouts = new BackendTimeouts(Duration.ofSeconds(2), Duration.ofMillis(firstTokenMs),
                Duration.ofMillis(idleMs), Duration.ofMillis(totalMs));
        startGateway(backend("late", engine.baseUrl().toString(), 1, 10, timeouts));
        long sent = System.nanoTime();
        List<String> events = events(chat(50, true));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(deadlineMs));
        JsonNode last = json(events.getLast());
        assertThat(last.path("error").path("code").asText()).isEqualTo("upstream_timeout");
        assertThat(last.path("error").path("message").asText()).isEqualTo("backend late " + why);
        assertThat(events).doesNotContain("[DONE]");
    }

    @Test
    void keepsASlowStreamAliveWithItsOwnCommentsAndRelaysNoneOfTheBackends() throws Exception {
        SimEngine slow = engine(new Faults(100.0, 0, 503, -1, -1, false)); // about 0.9 s a token
        startGateway(backend("slow", slow.baseUrl().toString(), 1));
        List<String> lines = lines(chat(3, true));
        // Each token comes after more than the gateway's 500 ms heartbeat: a comment between each two.
        assertThat(lines).filteredOn(": keep-alive"::equals).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines).as("the engine's own comments (': waiting') are not the client's")
                .filteredOn(line -> line.startsWith(":")).containsOnly(": keep-alive");
        assertThat(lines).contains("data: [DONE]");
    }

    @Test
    void endsAStreamThatRunsPastItsWholeAnswerDeadline() throws Exception {
        SimEngine slow = engine(new Faults(20.0, 0, 503, -1, -1, false)); // about 0.2 s a token
        BackendTimeouts timeouts = new BackendTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(1));
        startGateway(backend("slow", slow.baseUrl().toString(), 1, 10, timeouts));
        List<String> events = events(chat(50, true));
        JsonNode last = json(events.getLast());
        assertThat(last.path("error").path("code").asText()).isEqualTo("upstream_timeout");
        assertThat(last.path("error").path("message").asText()).isEqualTo("backend slow the answer took longer than 1 s");
        assertThat(events).as("tokens came before the deadline; the answer was not finished")
                .hasSizeGreaterThan(2).doesNotContain("[DONE]");
    }

    @Test
    void cancelsTheUpstreamRequestWithinASecondOfAClientLeavingMidStream() throws Exception {
        SimEngine slow = engine(new Faults(5.0, 0, 503, -1, -1, false)); // 45 ms a token
        startGateway(backend("slow", slow.baseUrl().toString(), 1));
        HttpResponse<InputStream> response = CLIENT.send(request("/v1/chat/completions")
                .POST(HttpRequest.BodyPublishers.ofString(chat(200, true))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        int data = 0;
        while (data < 3) {
            if (reader.readLine().startsWith("data: ")) {
                data++;
            }
        }
        assertThat(runningOn(slow)).isEqualTo(1);
        reader.close(); // the client leaves mid-answer
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> runningOn(slow) == 0);
    }

    @Test
    void closesTheBackendsConnectionSoonAfterAClientLeavesWhileTheBackendIsSilent() throws Exception {
        RawBackend stalled = new RawBackend((post, onConnection) -> RawBackend.Reply.STALL);
        running.add(stalled);
        startGateway("stalled", stalled);
        HttpResponse<InputStream> response = CLIENT.send(request("/v1/chat/completions")
                .POST(HttpRequest.BodyPublishers.ofString(chat(20, true))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).as("the role's event, before any token").startsWith("data: ");
        // The client leaves while no token is on its way: only the heartbeat's writes can tell.
        reader.close();
        long left = System.nanoTime();
        long closed = stalled.closedAt.get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(closed - left)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void keepsBackendConnectionsAlive() throws Exception {
        RawBackend answering = new RawBackend((post, onConnection) -> RawBackend.Reply.ANSWER);
        running.add(answering);
        startGateway("answering", answering);
        for (int i = 0; i < 20; i++) {
            assertThat(post("/v1/chat/completions", chat(5, false)).statusCode()).isEqualTo(200);
        }
        // One after another, the requests share a connection (a health check may have opened another).
        assertThat(answering.connections()).isLessThanOrEqualTo(2);
    }

    @Test
    void takesAFreshConnectionWhenTheBackendClosedAReusedOneJustThen() throws Exception {
        // Each connection answers one request; a second one on it finds it closed, as a server's
        // keep-alive timeout passing just when the gateway reuses the connection.
        RawBackend closing = new RawBackend((post, onConnection) ->
                onConnection == 1 ? RawBackend.Reply.ANSWER : RawBackend.Reply.CLOSE);
        running.add(closing);
        startGateway("closing", closing);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = post("/v1/chat/completions", chat(5, false));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
    }

    /** Non-streamed, or streamed from a backend that has not sent its answer's head yet. */
    @ParameterizedTest(name = "stream: {0}")
    @ValueSource(booleans = {false, true})
    void cancelsTheUpstreamRequestWithinASecondOfAClientLeavingBeforeAnyAnswer(boolean stream) throws Exception {
        RawBackend hanging = RawBackend.hanging();
        running.add(hanging);
        startGateway("hanging", hanging);
        assertThat(post("/v1/chat/completions", chat(5, false)).statusCode()).isEqualTo(200);

        byte[] body = chat(200, stream).getBytes(StandardCharsets.UTF_8);
        long left;
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            client.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + apiKey + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            client.getOutputStream().write(body);
            // The backend has the request, on a kept-alive connection.
            assertThat(hanging.hangingAfter.get(5, TimeUnit.SECONDS)).isPositive();
            // A client that waits through the gateway's first looks at its connection, then leaves.
            Thread.sleep(600);
            left = System.nanoTime();
        } // without its answer
        long closed = hanging.closedAt.get(5, TimeUnit.SECONDS);
        assertThat(closed).as("not cancelled while the client waited").isGreaterThan(left);
        assertThat(Duration.ofNanos(closed - left)).isLessThan(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> CLIENT.send(HttpRequest.newBuilder(uri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("pitwall_gateway_requests_total{backend=\"hanging\","
                + "model=\"llama3-8b\",outcome=\"client_cancelled\",tenant=\"team-a\"} 1.0"));
    }

    @Test
    void answersBadRequestsInOpenAisErrorShape() throws Exception {
        SimEngine engine = engine(Faults.NONE);
        startGateway(backend("sim", engine.baseUrl().toString(), 1));

        HttpResponse<String> unknown = post("/v1/chat/completions",
                "{\"model\":\"gpt-99\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        conforming("ErrorResponse", unknown.body());

        HttpResponse<String> badRole = post("/v1/chat/completions",
                "{\"model\":\"llama3-8b\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}");
        assertThat(badRole.statusCode()).isEqualTo(400);
        assertThat(json(badRole.body()).path("error").path("param").asText()).isEqualTo("messages[0].role");
        assertThat(json(badRole.body()).path("error").path("message").asText()).startsWith("messages[0].role: ");
        assertThat(json(unknown.body()).path("error").path("code").asText()).isEqualTo("model_not_found");
        assertThat(json(unknown.body()).path("error").path("param").asText()).isEqualTo("model");

        HttpResponse<String> noModel = post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(noModel.statusCode()).isEqualTo(400);
        assertThat(json(noModel.body()).path("error").path("param").asText()).isEqualTo("model");

        HttpResponse<String> notJson = post("/v1/embeddings", "{model:");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");

        HttpResponse<String> refusedUpstream = post("/v1/completions", "{\"model\":\"llama3-8b\",\"prompt\":\"x\",\"max_tokens\":0}");
        assertThat(refusedUpstream.statusCode()).as("the backend's 400 is the client's to fix, not retried").isEqualTo(400);
    }

    @Test
    void answers503WithRetryAfterWhenEveryBackendIsFullAnd502WhenAllFail() throws Exception {
        SimEngine slow = engine(new Faults(20.0, 0, 503, -1, -1, false));
        ConcurrencyConfig noQueue = new ConcurrencyConfig(LimitAlgorithm.FIXED, null, null, 0, null, null, null, null,
                null, null);
        startGateway(new BackendConfig("tiny", slow.baseUrl().toString(), BackendKind.VLLM, List.of(MODEL),
                Map.of("llama3-8b", MODEL), "", 1.0, 1, noQueue, BackendTimeouts.defaults()));
        CompletableFuture<HttpResponse<InputStream>> occupying = CLIENT.sendAsync(
                request("/v1/chat/completions").POST(HttpRequest.BodyPublishers.ofString(chat(100, true)))
                        .build(), HttpResponse.BodyHandlers.ofInputStream());
        InputStream first = occupying.get().body();
        first.read(); // the one slot is taken while this stream runs
        HttpResponse<String> full = post("/v1/chat/completions", chat(5, false));
        assertThat(full.statusCode()).isEqualTo(503);
        assertThat(full.headers().firstValue("retry-after")).hasValueSatisfying(
                seconds -> assertThat(Integer.parseInt(seconds)).isPositive());
        JsonNode shed = json(full.body()).path("error");
        assertThat(shed.path("code").asText()).isEqualTo("overloaded");
        assertThat(shed.path("message").asText()).contains("its wait queue is full");
        first.close();

        slow.faults(new Faults(1.0, 1.0, 500, -1, -1, false));
        await().atMost(Duration.ofSeconds(5)).until(() -> post("/v1/chat/completions", chat(5, false)).statusCode() == 502);
        JsonNode error = json(post("/v1/chat/completions", chat(5, false)).body()).path("error");
        assertThat(error.path("message").asText()).isEqualTo("no backend could serve `llama3-8b`: tiny: answered 500");
    }

    private static int runningOn(SimEngine engine) throws Exception {
        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith("vllm:num_requests_running{"))
                .mapToInt(line -> (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow();
    }
}
