package dev.pitwall.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.admission.Priority;
import dev.pitwall.gateway.budget.TenantBudget;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.BackendTimeouts;
import dev.pitwall.gateway.config.ConcurrencyConfig;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.config.LimitAlgorithm;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.Faults;
import dev.pitwall.sim.engine.SimEngine;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's protections as clients meet them over loopback HTTP: tenants' budgets (in one
 * process, and shared by two gateways through Redis), priorities in a full backend's queue.
 */
class ProtectionOverHttpTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    private static final String MODEL = "meta-llama/Meta-Llama-3-8B-Instruct";
    private static final String ADMIN_KEY = "admin-key-for-the-tests";

    @TempDir
    Path dataDir;

    private final List<AutoCloseable> running = new ArrayList<>();
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() throws Exception {
        clients.shutdownNow();
        for (AutoCloseable closeable : running.reversed()) {
            closeable.close();
        }
    }

    private SimEngine engine(Faults faults) {
        SimEngine engine = SimEngine.start(EngineProfile.load("h100-llama3-8b"), 5, "127.0.0.1", 0);
        engine.faults(faults);
        running.add(engine);
        return engine;
    }

    private static BackendConfig backend(SimEngine engine, int maxInFlight, ConcurrencyConfig concurrency) {
        return new BackendConfig("sim", engine.baseUrl().toString(), BackendKind.VLLM, List.of(MODEL),
                Map.of("llama3-8b", MODEL), "", 1.0, maxInFlight, concurrency, BackendTimeouts.defaults());
    }

    private GatewayServer gateway(GatewayConfig config) throws Exception {
        GatewayServer server = new GatewayServer(config.withAdminKey(ADMIN_KEY),
                Files.createDirectories(dataDir.resolve("gw-" + running.size())));
        running.add(server);
        return server;
    }

    private static HttpResponse<String> chat(GatewayServer server, String key, int maxTokens, boolean stream)
            throws Exception {
        return CLIENT.send(chatRequest(server, key, maxTokens, stream), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest chatRequest(GatewayServer server, String key, int maxTokens, boolean stream) {
        String body = "{\"model\":\"llama3-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"tell me about GPUs\"}],"
                + "\"max_tokens\":" + maxTokens + ",\"stream\":" + stream + "}";
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static HttpResponse<String> admin(GatewayServer server, String method, String path, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    private static long header(HttpResponse<?> response, String name) {
        return Long.parseLong(response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name)));
    }

    @Test
    void aTenantOverItsRequestsPerMinuteGets429WithOpenAisHeaders() throws Exception {
        SimEngine engine = engine(Faults.NONE);
        GatewayServer server = gateway(GatewayConfig.defaults()
                .withBackends(List.of(backend(engine, 64, ConcurrencyConfig.fixed())))
                .withTenants(List.of(new TenantBudget("team-a", 5L, 0L, 0, Priority.NORMAL))));
        String key = server.gateway().apiKeys().create("team-a", "test").secret();
        String unlimited = server.gateway().apiKeys().create("team-b", "test").secret();

        List<Long> remaining = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> ok = chat(server, key, 2, false);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(header(ok, "x-ratelimit-limit-requests")).isEqualTo(5);
            assertThat(ok.headers().firstValue("x-ratelimit-reset-requests")).hasValueSatisfying(
                    reset -> assertThat(reset).matches("\\d+(\\.\\d+)?(ms|s)|\\d+m\\d+s"));
            remaining.add(header(ok, "x-ratelimit-remaining-requests"));
        }
        // The bucket refills 5 a minute (one every 12 s): within this test it stays empty.
        assertThat(remaining).containsExactly(4L, 3L, 2L, 1L, 0L);

        HttpResponse<String> over = chat(server, key, 2, false);
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(header(over, "retry-after")).isBetween(1L, 12L);
        assertThat(header(over, "x-ratelimit-remaining-requests")).isZero();
        JsonNode error = json(over.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("requests");
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("message").asText()).contains("team-a", "limit 5");

        HttpResponse<String> other = chat(server, unlimited, 2, false);
        assertThat(other.statusCode()).as("another tenant's budget is its own").isEqualTo(200);
        assertThat(other.headers().firstValue("x-ratelimit-limit-requests")).as("no limit, no header").isEmpty();

        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("pitwall_gateway_budget_refused_total{tenant=\"team-a\",type=\"requests\"} 1.0")
                .contains("outcome=\"rate_limited\"");
    }

    @Test
    void tokensAreChargedUpFrontAndCorrectedFromTheUsageTheBackendReports() throws Exception {
        SimEngine engine = engine(Faults.NONE);
        GatewayServer server = gateway(GatewayConfig.defaults()
                .withBackends(List.of(backend(engine, 64, ConcurrencyConfig.fixed())))
                .withTenants(List.of(new TenantBudget("team-a", 0L, 2_000L, 0, Priority.NORMAL))));
        String key = server.gateway().apiKeys().create("team-a", "test").secret();

        HttpResponse<String> tooLarge = chat(server, key, 5_000, false);
        assertThat(tooLarge.statusCode()).isEqualTo(429);
        JsonNode error = json(tooLarge.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("tokens");
        assertThat(error.path("message").asText()).contains("Request too large", "limit 2000");

        // Asked for up to 1000 tokens; the answer is far shorter (the engine's answers are 16 to 256 tokens).
        HttpResponse<String> first = chat(server, key, 1_000, false);
        assertThat(first.statusCode()).isEqualTo(200);
        long estimated = 2_000 - header(first, "x-ratelimit-remaining-tokens");
        assertThat(estimated).isGreaterThanOrEqualTo(1_000);
        JsonNode usage = json(first.body()).path("usage");
        long used = usage.path("total_tokens").asLong();
        assertThat(used).isLessThan(estimated);

        HttpResponse<String> second = chat(server, key, 10, false);
        assertThat(second.statusCode()).isEqualTo(200);
        long secondEstimate = estimated - 1_000 + 10;
        // Without the correction the bucket would hold 2000 − estimate − second estimate; with it the
        // first request costs what it used. The bucket refills 33 tokens a second meanwhile.
        long expected = 2_000 - used - secondEstimate;
        assertThat(header(second, "x-ratelimit-remaining-tokens")).isBetween(expected, expected + 100);
    }

    @Test
    void aTenantAtItsMaxStreamsIsRefusedAnotherStreamButNotARequest() throws Exception {
        SimEngine slow = engine(new Faults(20.0, 0, 503, -1, -1, false));
        GatewayServer server = gateway(GatewayConfig.defaults()
                .withBackends(List.of(backend(slow, 64, ConcurrencyConfig.fixed())))
                .withTenants(List.of(new TenantBudget("team-a", 0L, 0L, 1, Priority.NORMAL))));
        String key = server.gateway().apiKeys().create("team-a", "test").secret();

        HttpResponse<InputStream> open = CLIENT.send(chatRequest(server, key, 50, true),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(open.statusCode()).isEqualTo(200);
        InputStream stream = open.body();
        stream.read();

        HttpResponse<String> second = chat(server, key, 5, true);
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(json(second.body()).path("error").path("message").asText()).contains("max_streams");
        assertThat(chat(server, key, 1, false).statusCode()).as("a request that does not stream").isEqualTo(200);

        stream.close(); // the client leaves: the place is freed once the gateway notices
        await().atMost(Duration.ofSeconds(10)).until(() -> chat(server, key, 1, true).statusCode() == 200);
    }

    @Test
    void budgetsAreSetReadReplacedAndRemovedThroughTheAdminApiAndAudited() throws Exception {
        SimEngine engine = engine(Faults.NONE);
        GatewayServer server = gateway(GatewayConfig.defaults()
                .withBackends(List.of(backend(engine, 64, ConcurrencyConfig.fixed())))
                .withTenants(List.of(new TenantBudget("team-c", 1000L, 0L, 0, Priority.LOW))));
        String key = server.gateway().apiKeys().create("team-a", "test").secret();

        HttpResponse<String> created = admin(server, "POST", "/admin/api/tenants",
                "{\"name\":\"team-a\",\"rpm\":1,\"tpm\":100000,\"max_streams\":20,\"priority\":\"high\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(json(created.body()).path("priority").asText()).isEqualTo("high");
        assertThat(admin(server, "POST", "/admin/api/tenants", "{\"name\":\"team-a\",\"rpm\":2}").statusCode())
                .as("POST does not overwrite").isEqualTo(409);

        assertThat(chat(server, key, 1, false).statusCode()).isEqualTo(200);
        assertThat(chat(server, key, 1, false).statusCode()).as("the new budget applies at once").isEqualTo(429);

        JsonNode list = json(admin(server, "GET", "/admin/api/tenants", null).body());
        assertThat(list).extracting(n -> n.path("name").asText() + ":" + n.path("source").asText())
                .containsExactly("team-a:api", "team-c:config");

        HttpResponse<String> replaced = admin(server, "PUT", "/admin/api/tenants/team-a", "{\"rpm\":600}");
        assertThat(replaced.statusCode()).isEqualTo(200);
        JsonNode read = json(admin(server, "GET", "/admin/api/tenants/team-a", null).body());
        assertThat(read.path("rpm").asLong()).isEqualTo(600);
        assertThat(read.path("priority").asText()).as("a PUT replaces the whole budget").isEqualTo("normal");

        assertThat(admin(server, "DELETE", "/admin/api/tenants/team-a", null).statusCode()).isEqualTo(204);
        assertThat(admin(server, "GET", "/admin/api/tenants/team-a", null).statusCode()).isEqualTo(404);
        assertThat(admin(server, "DELETE", "/admin/api/tenants/team-c", null).statusCode())
                .as("a budget from the config is changed there").isEqualTo(409);

        assertThat(server.audit().recent(10)).extracting(e -> e.action())
                .contains("tenant-budget.create", "tenant-budget.update", "tenant-budget.delete");
    }

    @Test
    void badBudgetsAreRefusedWithTheFieldAtFault() throws Exception {
        SimEngine engine = engine(Faults.NONE);
        GatewayServer server = gateway(GatewayConfig.defaults()
                .withBackends(List.of(backend(engine, 64, ConcurrencyConfig.fixed()))));
        Map<String, String> refusals = Map.of(
                "{\"name\":\"team-a\",\"rpm\":-1}", "rpm",
                "{\"name\":\"team-a\",\"rpm\":\"lots\"}", "rpm",
                "{\"name\":\"team-a\",\"priority\":\"urgent\"}", "priority",
                "{\"name\":\"Team A\"}", "name",
                "{\"name\":\"team-a\",\"max_stream\":3}", "max_stream",
                "{\"rpm\":5}", "name",
                "[1,2]", "");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            HttpResponse<String> response = admin(server, "POST", "/admin/api/tenants", refusal.getKey());
            assertThat(response.statusCode()).as(refusal.getKey()).isEqualTo(400);
            assertThat(json(response.body()).path("error").path("param").asText("")).as(refusal.getKey())
                    .isEqualTo(refusal.getValue());
        }
        assertThat(admin(server, "PUT", "/admin/api/tenants/team-a", "{\"name\":\"team-b\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> noKey = CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/admin/api/tenants")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(json(admin(server, "GET", "/admin/api/tenants", null).body())).as("nothing was stored").isEmpty();
    }

    @Test
    void aLowPriorityFloodDoesNotDelayAHighPriorityRequestBeyondOnePlaceFreeing() throws Exception {
        SimEngine engine = engine(Faults.NONE);
        ConcurrencyConfig twoPlaces = new ConcurrencyConfig(LimitAlgorithm.FIXED, null, null, 200,
                Duration.ofSeconds(60), null, null, null, null, null);
        GatewayServer server = gateway(GatewayConfig.defaults()
                .withBackends(List.of(backend(engine, 2, twoPlaces)))
                .withTenants(List.of(new TenantBudget("bulk", 0L, 0L, 0, Priority.LOW),
                        new TenantBudget("vip", 0L, 0L, 0, Priority.HIGH))));
        String bulk = server.gateway().apiKeys().create("bulk", "test").secret();
        String vip = server.gateway().apiKeys().create("vip", "test").secret();

        List<Future<HttpResponse<String>>> flood = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            flood.add(clients.submit(() -> chat(server, bulk, 20, false)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.gateway().router().backends().getFirst()
                .admission().queued() >= 30);
        HttpResponse<String> urgent = chat(server, vip, 20, false);
        assertThat(urgent.statusCode()).isEqualTo(200);
        long stillWaiting = flood.stream().filter(f -> !f.isDone()).count();
        // 40 low-priority requests of ~20 decode steps each, two at a time: the high-priority one
        // waited for one place to free, not for the queue ahead of it to drain.
        assertThat(stillWaiting).isGreaterThanOrEqualTo(25);
        for (Future<HttpResponse<String>> f : flood) {
            assertThat(f.get().statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatLeavesWhileItsRequestWaitsGivesItsPlaceInTheQueueUp() throws Exception {
        SimEngine slow = engine(new Faults(20.0, 0, 503, -1, -1, false));
        ConcurrencyConfig onePlace = new ConcurrencyConfig(LimitAlgorithm.FIXED, null, null, 10,
                Duration.ofSeconds(60), null, null, null, null, null);
        GatewayServer server = gateway(GatewayConfig.defaults().withBackends(List.of(backend(slow, 1, onePlace))));
        String key = server.gateway().apiKeys().create("team-a", "test").secret();
        HttpResponse<InputStream> occupying = CLIENT.send(chatRequest(server, key, 100, true),
                HttpResponse.BodyHandlers.ofInputStream());
        occupying.body().read(); // the one place is taken while this stream runs

        String body = "{\"model\":\"llama3-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5}";
        var queue = server.gateway().router().backends().getFirst().admission();
        try (java.net.Socket client = new java.net.Socket("127.0.0.1", server.port())) {
            client.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + key + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.queued() == 1);
        } // the client leaves
        await().atMost(Duration.ofSeconds(3)).until(() -> queue.queued() == 0);
        assertThat(queue.shedCount(dev.pitwall.gateway.admission.AdmissionQueue.ShedReason.CLIENT_LEFT)).isEqualTo(1);
        occupying.body().close();
    }

    @Test
    void tenTimesTheEnginesCapacityInStreamsGetsOnly200Or503AndNobodyWaitsPastTheDeadline() throws Exception {
        Path profile = dataDir.resolve("small-engine.yaml");
        Files.writeString(profile, "max-running: 8\noutput-tokens-min: 20\noutput-tokens-max: 30\n");
        SimEngine engine = SimEngine.start(EngineProfile.load(profile.toString()), 6, "127.0.0.1", 0);
        running.add(engine);
        Duration maxWait = Duration.ofMillis(500);
        ConcurrencyConfig protection = new ConcurrencyConfig(LimitAlgorithm.GRADIENT2, 8, 2, 16, maxWait, null, null,
                null, null, null);
        GatewayServer server = gateway(GatewayConfig.defaults().withBackends(List.of(backend(engine, 64, protection))));
        String key = server.gateway().apiKeys().create("team-a", "test").secret();

        List<Future<List<Integer>>> clientsDone = new ArrayList<>();
        for (int c = 0; c < 80; c++) {
            clientsDone.add(clients.submit(() -> {
                List<Integer> statuses = new ArrayList<>();
                for (int n = 0; n < 3; n++) {
                    HttpResponse<String> answer = chat(server, key, 30, true);
                    statuses.add(answer.statusCode());
                    if (answer.statusCode() == 200) {
                        assertThat(answer.body()).endsWith("data: [DONE]\n\n");
                    }
                }
                return statuses;
            }));
        }
        Map<Integer, Integer> byStatus = new java.util.TreeMap<>();
        for (Future<List<Integer>> f : clientsDone) {
            f.get().forEach(status -> byStatus.merge(status, 1, Integer::sum));
        }
        assertThat(byStatus.keySet()).as("answers by status: %s", byStatus).isSubsetOf(200, 429, 503);
        assertThat(byStatus.get(200)).isGreaterThan(8);
        assertThat(byStatus.get(503)).as("more than the engine and the queue hold is shed").isPositive();

        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher waited = java.util.regex.Pattern.compile(
                "pitwall_gateway_queue_wait_seconds_max\\{backend=\"sim\"} (\\S+)").matcher(metrics);
        assertThat(waited.find()).as("some requests waited for a place").isTrue();
        assertThat(Double.parseDouble(waited.group(1))).as("the longest wait for a place, in seconds")
                .isLessThanOrEqualTo(maxWait.toMillis() / 1000.0 + 0.05);
    }

    @Test
    void aGatewayWhoseRedisIsDownAtStartServesOnItsShare() throws Exception {
        int nothingThere;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            nothingThere = probe.getLocalPort();
        }
        SimEngine engine = engine(Faults.NONE);
        GatewayServer server = gateway(GatewayConfig.defaults()
                .withBackends(List.of(backend(engine, 64, ConcurrencyConfig.fixed())))
                .withTenants(List.of(new TenantBudget("team-a", 60L, 0L, 0, Priority.NORMAL)))
                .withRedis("redis://127.0.0.1:" + nothingThere, 2));
        String key = server.gateway().apiKeys().create("team-a", "test").secret();
        int admitted = 0;
        for (int i = 0; i < 40; i++) {
            int status = chat(server, key, 1, false).statusCode();
            assertThat(status).isIn(200, 429);
            admitted += status == 200 ? 1 : 0;
        }
        assertThat(admitted).as("half of 60 a minute, the share of one replica of two").isBetween(30, 32);
    }

    @Test
    void twoGatewaysSharingRedisAdmitOneBudgetBetweenThemAndFallBackToTheirShareWithoutIt() throws Exception {
        String redisUrl = System.getenv("PITWALL_TEST_REDIS_URL");
        assumeThat(redisUrl).as("PITWALL_TEST_REDIS_URL names the Redis for this test").isNotBlank();
        URI redis = URI.create(redisUrl);
        TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort());
        running.add(proxy);
        SimEngine engine = engine(Faults.NONE);
        String tenant = "shared-" + UUID.randomUUID().toString().substring(0, 8); // the shared Redis keeps state
        long rpm = 120;
        GatewayConfig config = GatewayConfig.defaults()
                .withBackends(List.of(backend(engine, 256, ConcurrencyConfig.fixed())))
                .withTenants(List.of(new TenantBudget(tenant, rpm, 0L, 0, Priority.NORMAL)))
                // Three replicas configured, two running: were the budget counted locally, each would
                // admit a third of it, two thirds in all; shared, they admit it all.
                .withRedis("redis://127.0.0.1:" + proxy.port(), 3);
        GatewayServer one = gateway(config);
        GatewayServer two = gateway(config);
        String keyOne = one.gateway().apiKeys().create(tenant, "test").secret();
        String keyTwo = two.gateway().apiKeys().create(tenant, "test").secret();

        long start = System.nanoTime();
        List<Future<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            GatewayServer target = i % 2 == 0 ? one : two;
            String key = i % 2 == 0 ? keyOne : keyTwo;
            burst.add(clients.submit(() -> chat(target, key, 1, false)));
        }
        int admitted = 0;
        for (Future<HttpResponse<String>> f : burst) {
            int status = f.get().statusCode();
            assertThat(status).isIn(200, 429);
            admitted += status == 200 ? 1 : 0;
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        double budget = rpm + rpm * minutes; // a full bucket, plus what refilled during the burst
        assertThat((double) admitted).as("admitted by both together").isBetween(budget * 0.95, budget * 1.05 + 1);

        proxy.cut();
        String keyThree = one.gateway().apiKeys().create(tenant + "-b", "test").secret();
        // A tenant not seen before, so that its local share starts full: a third of 120 a minute on this replica.
        admin(one, "PUT", "/admin/api/tenants/" + tenant + "-b", "{\"rpm\":" + rpm + "}");
        int alone = 0;
        for (int i = 0; i < 100; i++) {
            int status = chat(one, keyThree, 1, false).statusCode();
            assertThat(status).as("served without Redis, never failed").isIn(200, 429);
            alone += status == 200 ? 1 : 0;
        }
        assertThat(alone).as("one replica of three, on its share").isBetween(40, 43);
        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + one.port() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("pitwall_gateway_budget_redis_up 0.0")
                .containsPattern("pitwall_gateway_budget_checks_without_redis_total [1-9]");

        proxy.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            chat(one, keyOne, 1, false);
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + one.port() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body().contains("pitwall_gateway_budget_redis_up 1.0");
        });
    }
}
