package dev.pitwall.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.StorageConfig;
import dev.pitwall.core.storage.StorageTarget;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.config.RollbackConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Prompt releases over loopback HTTP: versions and labels through the admin API, a chat request
 * naming a prompt, the messages the backend receives, and a label moved on one replica serving
 * on another within a second.
 */
class PromptsOverHttpTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    private static final String ADMIN_KEY = "admin-key-for-the-tests";
    private static final String MODEL = "chat-model";
    private static final String TRIAGE = """
            {"messages":[{"role":"system","content":"You triage {{product}} tickets. %s"}],
             "variables":{"product":{"type":"enum","values":["gpu","storage"]}}}""";

    @TempDir
    Path dataDir;

    private final AtomicReference<JsonNode> lastBody = new AtomicReference<>();
    private final List<GatewayServer> gateways = new ArrayList<>();
    private final List<StorageTarget> stores = new ArrayList<>();
    private ChatBackend backend;
    private String key;

    @BeforeEach
    void start() {
        // A backend that keeps the body it was sent and answers every chat the same way.
        backend = new ChatBackend((body, res) -> {
            lastBody.set(Json.mapper().readTree(body));
            if (body.contains("BREAKS")) {
                // A prompt that breaks the backend: what a bad canary does.
                res.status(io.helidon.http.Status.INTERNAL_SERVER_ERROR_500).send("{\"error\":{}}");
                return;
            }
            ChatBackend.answer(res, MODEL, "Routed to the GPU team, as is usual for such tickets.");
        });
    }

    @AfterEach
    void stop() {
        gateways.forEach(GatewayServer::close);
        backend.close();
        stores.forEach(StorageTarget::close);
    }

    private GatewayServer replica() {
        return replica(StorageConfig.defaults());
    }

    /** A gateway replica; replicas given one store share it. */
    private GatewayServer replica(StorageConfig storage) {
        GatewayServer server = new GatewayServer(GatewayConfig.defaults().withAdminKey(ADMIN_KEY)
                .withPromptRollback(new RollbackConfig(true, 10, 50, null, null, null)).withBackends(List.of(
                BackendConfig.of("plain", backend.url(), BackendKind.OPENAI_COMPATIBLE,
                        List.of(MODEL), Map.of()))), storage, dataDir);
        gateways.add(server);
        if (key == null) {
            key = server.gateway().apiKeys().create("team-a", "test").secret();
        }
        return server;
    }

    private static HttpResponse<String> admin(GatewayServer server, String method, String path, String body)
            throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> chat(GatewayServer server, String body, String promptHeader) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (promptHeader != null) {
            request.header("X-Pitwall-Prompt", promptHeader);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void twoVersions(GatewayServer server) throws Exception {
        assertThat(admin(server, "POST", "/admin/api/prompts/support-triage/versions", TRIAGE.formatted("Be brief."))
                .statusCode()).isEqualTo(201);
        HttpResponse<String> second = admin(server, "POST", "/admin/api/prompts/support-triage/versions",
                TRIAGE.formatted("Be brief and kind."));
        assertThat(Json.mapper().readTree(second.body()).path("version").asInt()).isEqualTo(2);
        assertThat(admin(server, "PUT", "/admin/api/prompts/support-triage/labels/production",
                "{\"version\":1,\"reason\":\"first release\"}").statusCode()).isEqualTo(200);
        assertThat(admin(server, "PUT", "/admin/api/prompts/support-triage/labels/canary", "{\"version\":2}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void aChatNamingAPromptIsSentWithItsMessagesAndSaysWhichVersionServedIt() throws Exception {
        GatewayServer server = replica();
        twoVersions(server);

        HttpResponse<String> answer = chat(server, "{\"model\":\"" + MODEL + "\",\"prompt\":{\"name\":\"support-triage\","
                + "\"variables\":{\"product\":\"gpu\"}},\"messages\":[{\"role\":\"user\",\"content\":\"My job hangs\"}]}", null);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("x-pitwall-prompt")).hasValue("support-triage@1");
        JsonNode sent = lastBody.get();
        assertThat(sent.has("prompt")).as("the extension field is the gateway's, not the backend's").isFalse();
        assertThat(sent.path("messages")).extracting(m -> m.path("role").asText() + ": " + m.path("content").asText())
                .containsExactly("system: You triage gpu tickets. Be brief.", "user: My job hangs");

        HttpResponse<String> storage = chat(server, "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"disk full\"}],\"prompt\":{\"name\":\"support-triage\",\"variables\":{\"product\":"
                + "\"storage\"}}}", null);
        assertThat(storage.headers().firstValue("x-pitwall-prompt")).as("no label, no rollout: production")
                .hasValue("support-triage@1");
        HttpResponse<String> byHeader = chat(server, "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}", "support-triage@2");
        assertThat(byHeader.statusCode()).as("a header prompt with a required variable and none given")
                .isEqualTo(400);
        assertThat(Json.mapper().readTree(byHeader.body()).path("error").path("param").asText())
                .isEqualTo("prompt.variables.product");

        HttpResponse<String> mistyped = chat(server, "{\"model\":\"" + MODEL + "\",\"prompt\":{\"name\":\"support-triage\","
                + "\"label\":\"canary\",\"variables\":{\"product\":\"network\"}}}", null);
        assertThat(mistyped.statusCode()).isEqualTo(400);
        assertThat(Json.mapper().readTree(mistyped.body()).path("error").path("message").asText())
                .contains("must be one of gpu, storage");
        HttpResponse<String> unknown = chat(server, "{\"model\":\"" + MODEL + "\",\"prompt\":{\"name\":\"nope\"}}", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Json.mapper().readTree(unknown.body()).path("error").path("code").asText()).isEqualTo("prompt_not_found");
        HttpResponse<String> noLabel = chat(server, "{\"model\":\"" + MODEL + "\",\"prompt\":{\"name\":\"support-triage\","
                + "\"label\":\"beta\",\"variables\":{\"product\":\"gpu\"}}}", null);
        assertThat(noLabel.statusCode()).isEqualTo(404);

        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("pitwall_gateway_prompt_requests_total{outcome=\"success\",prompt=\"support-triage\","
                + "version=\"1\"} 2.0");
    }

    @Test
    void aRolloutKeepsEachUserOnOneSideAndItsRulesComeFirst() throws Exception {
        GatewayServer server = replica();
        twoVersions(server);
        assertThat(admin(server, "PUT", "/admin/api/prompts/support-triage/rollout", """
                {"split":{"production":50,"canary":50},"stickiness":"user",
                 "rules":[{"header":"X-Pitwall-Canary","label":"canary"}]}""").statusCode()).isEqualTo(200);
        java.util.Map<String, java.util.Set<String>> byUser = new java.util.HashMap<>();
        for (int round = 0; round < 3; round++) {
            if (round == 2) {
                // The rollout set again, as a reload brings it: every user stays where it was.
                admin(server, "PUT", "/admin/api/prompts/support-triage/rollout", """
                        {"split":{"production":50,"canary":50},"stickiness":"user",
                         "rules":[{"header":"X-Pitwall-Canary","label":"canary"}]}""");
            }
            for (int u = 0; u < 20; u++) {
                String user = "user-" + u;
                HttpResponse<String> answer = chat(server, "{\"model\":\"" + MODEL + "\",\"user\":\"" + user
                        + "\",\"prompt\":{\"name\":\"support-triage\",\"variables\":{\"product\":\"gpu\"}}}", null);
                byUser.computeIfAbsent(user, k -> new java.util.HashSet<>())
                        .add(answer.headers().firstValue("x-pitwall-prompt").orElseThrow());
            }
        }
        assertThat(byUser.values()).as("each user always on one side, across the reload").allSatisfy(tags -> assertThat(tags).hasSize(1));
        assertThat(byUser.values().stream().flatMap(java.util.Set::stream).distinct())
                .as("twenty users fall on both sides of a 50/50 split")
                .containsExactlyInAnyOrder("support-triage@1", "support-triage@2");

        HttpRequest flagged = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("X-Pitwall-Canary", "1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL + "\",\"user\":\"user-0\","
                        + "\"prompt\":{\"name\":\"support-triage\",\"variables\":{\"product\":\"gpu\"}}}")).build();
        for (int i = 0; i < 3; i++) {
            assertThat(CLIENT.send(flagged, HttpResponse.BodyHandlers.ofString()).headers().firstValue("x-pitwall-prompt"))
                    .as("a request with the header flag gets the canary").hasValue("support-triage@2");
        }
    }

    @Test
    void aCanaryWorseThanProductionIsRolledBackWithTheEvidence() throws Exception {
        GatewayServer server = replica();
        twoVersions(server);
        admin(server, "POST", "/admin/api/prompts/support-triage/versions", TRIAGE.formatted("BREAKS the backend."));
        admin(server, "PUT", "/admin/api/prompts/support-triage/labels/canary", "{\"version\":3,\"reason\":\"try v3\"}");
        admin(server, "PUT", "/admin/api/prompts/support-triage/rollout", "{\"split\":{\"production\":50,\"canary\":50}}");
        String rolledBack = null;
        for (int i = 0; i < 200 && rolledBack == null; i++) {
            chat(server, "{\"model\":\"" + MODEL + "\",\"user\":\"user-" + i + "\",\"prompt\":{\"name\":\"support-triage\","
                    + "\"variables\":{\"product\":\"gpu\"}}}", null);
            JsonNode rollout = Json.mapper().readTree(admin(server, "GET", "/admin/api/prompts/support-triage/rollout",
                    null).body());
            if (rollout.path("split").path("canary").asInt() == 0) {
                rolledBack = rollout.toString();
            }
        }
        assertThat(rolledBack).as("the canary's share went to 0").isNotNull();
        assertThat(Json.mapper().readTree(rolledBack).path("split").path("production").asInt()).isEqualTo(100);
        JsonNode why = Json.mapper().readTree(admin(server, "GET", "/admin/api/prompts/support-triage/history", null)
                .body()).get(0);
        assertThat(why.path("actor").asText()).isEqualTo("gateway");
        assertThat(why.path("reason").asText()).startsWith("rolled back: its error rate is worse than production's")
                .contains("canary version 3: ", "100.0 % failed", "production version 1: ", "0.0 % failed");
        // The audit log is written just after the rollback's transaction, which the reads above may see first.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(server.audit().recent(20)).extracting(e -> e.action()).contains("prompt.rollback"));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> after = chat(server, "{\"model\":\"" + MODEL + "\",\"user\":\"later-" + i
                    + "\",\"prompt\":{\"name\":\"support-triage\",\"variables\":{\"product\":\"gpu\"}}}", null);
            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(after.headers().firstValue("x-pitwall-prompt")).hasValue("support-triage@1");
        }
    }

    @Test
    void aBadVersionIsRefusedAndTheHistorySaysWhyLabelsMoved() throws Exception {
        GatewayServer server = replica();
        HttpResponse<String> bad = admin(server, "POST", "/admin/api/prompts/support-triage/versions",
                "{\"messages\":[{\"role\":\"system\",\"content\":\"Hello {{who}}\"}]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Json.mapper().readTree(bad.body()).path("error").path("param").asText()).isEqualTo("messages[0].content");
        assertThat(admin(server, "GET", "/admin/api/prompts/support-triage/versions", null).statusCode())
                .as("nothing was stored").isEqualTo(404);

        twoVersions(server);
        assertThat(admin(server, "PUT", "/admin/api/prompts/support-triage/labels/production", "{\"version\":9}")
                .statusCode()).isEqualTo(400);
        admin(server, "PUT", "/admin/api/prompts/support-triage/labels/production",
                "{\"version\":2,\"reason\":\"kinder answers\"}");
        JsonNode history = Json.mapper().readTree(admin(server, "GET", "/admin/api/prompts/support-triage/history", null)
                .body());
        assertThat(history.get(0).path("label").asText()).isEqualTo("production");
        assertThat(history.get(0).path("previous").asInt()).isEqualTo(1);
        assertThat(history.get(0).path("reason").asText()).isEqualTo("kinder answers");
        assertThat(server.audit().recent(20)).extracting(e -> e.action())
                .contains("prompt.version.create", "prompt.label.move");

        HttpResponse<String> rollout = admin(server, "PUT", "/admin/api/prompts/support-triage/rollout",
                "{\"split\":{\"production\":90,\"beta\":10}}");
        assertThat(rollout.statusCode()).as("a split over a label that points nowhere").isEqualTo(400);
        assertThat(admin(server, "PUT", "/admin/api/prompts/support-triage/rollout",
                "{\"split\":{\"production\":90,\"canary\":20}}").statusCode()).isEqualTo(400);
    }

    @ParameterizedTest
    @MethodSource("dev.pitwall.core.storage.StorageTarget#available")
    void aLabelMovedOnOneReplicaServesOnAnotherWithinASecondWithNoFailedRequest(String store) throws Exception {
        StorageTarget target = StorageTarget.create(store, dataDir);
        stores.add(target);
        GatewayServer one = replica(target.config());
        GatewayServer two = replica(target.config());
        twoVersions(one);
        String body = "{\"model\":\"" + MODEL + "\",\"prompt\":{\"name\":\"support-triage\",\"variables\":{\"product\":"
                + "\"gpu\"}},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        await().atMost(Duration.ofSeconds(1)).until(() -> "support-triage@1".equals(
                chat(two, body, null).headers().firstValue("x-pitwall-prompt").orElse("")));

        /** One request: when it was sent, when its answer came, and which version served it. */
        record Served(long sentNanos, long answeredNanos, String tag) {
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Served> served = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService load = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                clients.add(load.submit(() -> {
                    while (!stop.get()) {
                        long sent = System.nanoTime();
                        HttpResponse<String> answer = chat(two, body, null);
                        statuses.add(answer.statusCode());
                        served.add(new Served(sent, System.nanoTime(),
                                answer.headers().firstValue("x-pitwall-prompt").orElse("")));
                    }
                    return null;
                }));
            }
            long moved = System.nanoTime();
            admin(one, "PUT", "/admin/api/prompts/support-triage/labels/production", "{\"version\":2}");
            await().atMost(Duration.ofSeconds(1)).until(() -> List.copyOf(served).stream()
                    .anyMatch(s -> s.tag().equals("support-triage@2")));
            Thread.sleep(200); // more requests after the switch, to see that none goes back
            stop.set(true);
            for (Future<?> f : clients) {
                f.get();
            }
            long firstNew = served.stream().filter(s -> s.tag().equals("support-triage@2"))
                    .mapToLong(Served::answeredNanos).min().orElseThrow();
            assertThat((firstNew - moved) / 1e9).as("seconds from the move to the first answer of the new version")
                    .isLessThan(1.0);
            assertThat(served).filteredOn(s -> s.sentNanos() > firstNew).as("sent after the switch showed")
                    .isNotEmpty().allSatisfy(s -> assertThat(s.tag()).isEqualTo("support-triage@2"));
            assertThat(served).allSatisfy(s -> assertThat(s.tag()).isIn("support-triage@1", "support-triage@2"));
        }
        assertThat(statuses).as("no request failed during the switch").containsOnly(200);
        assertThat(lastBody.get().path("messages").get(0).path("content").asText())
                .isEqualTo("You triage gpu tickets. Be brief and kind.");
    }
}
