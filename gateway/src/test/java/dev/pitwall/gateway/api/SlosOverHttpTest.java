package dev.pitwall.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.slo.PrometheusRules;
import dev.pitwall.gateway.slo.SliKind;
import dev.pitwall.gateway.slo.SloSpec;
import io.helidon.http.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Objectives over loopback HTTP: set through the admin API (bad ones refused with what is wrong),
 * counted from real requests through the gateway, and judged at {@code /api/slo}.
 */
class SlosOverHttpTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String ADMIN_KEY = "admin-key-for-the-tests";
    private static final String MODEL = "chat-model";

    @TempDir
    Path dataDir;

    private final AtomicBoolean failing = new AtomicBoolean();
    private ChatBackend backend;
    private GatewayServer gateway;
    private String key;

    @BeforeEach
    void start() {
        backend = new ChatBackend((body, res) -> {
            if (body.contains("\"stream\":true")) {
                res.header("Content-Type", "text/event-stream");
                res.send("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"" + MODEL
                        + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"All well.\"},\"finish_reason\":null}]}"
                        + "\n\ndata: [DONE]\n\n");
            } else if (failing.get()) {
                res.status(Status.INTERNAL_SERVER_ERROR_500).send("{\"error\":{}}");
            } else {
                ChatBackend.answer(res, MODEL, "All well.");
            }
        });
        gateway = new GatewayServer(GatewayConfig.defaults().withAdminKey(ADMIN_KEY)
                .withSlos(List.of(new SloSpec("chat-availability", SliKind.AVAILABILITY, 99.0, Duration.ofDays(30),
                        null, MODEL, ""), new SloSpec("chat-ttft", SliKind.TTFT, 99.0, Duration.ofDays(30),
                        Duration.ofSeconds(2), "", ""), new SloSpec("chat-latency", SliKind.LATENCY, 95.0,
                        Duration.ofDays(30), Duration.ofMillis(7500), "", "")))
                .withBackends(List.of(BackendConfig.of("plain", backend.url(),
                        BackendKind.OPENAI_COMPATIBLE, List.of(MODEL), Map.of()))), dataDir);
        key = gateway.gateway().apiKeys().create("team-a", "test").secret();
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void failingRequestsThroughTheGatewayBurnTheBudgetAndPage() throws Exception {
        JsonNode before = status("chat-availability");
        assertThat(before.path("state").asText()).isEqualTo("no_data");
        assertThat(before.path("budget_remaining").isNull()).isTrue();

        for (int i = 0; i < 8; i++) {
            assertThat(chat().statusCode()).isEqualTo(200);
        }
        failing.set(true);
        for (int i = 0; i < 2; i++) {
            assertThat(chat().statusCode()).isEqualTo(502);
        }
        // A request refused for its own fault does not count.
        assertThat(send("POST", "/v1/chat/completions", key, "{\"model\":\"" + MODEL + "\"}").statusCode())
                .isEqualTo(400);

        JsonNode after = status("chat-availability");
        assertThat(after.path("period").path("total").asLong()).isEqualTo(10);
        assertThat(after.path("period").path("good").asLong()).isEqualTo(8);
        // 20 % errors against a 1 % budget: twenty times the allowed pace, over every window.
        assertThat(after.path("state").asText()).isEqualTo("page");
        assertThat(after.path("budget_remaining").asDouble()).isCloseTo(1 - 20.0, within(1e-9));
        assertThat(after.path("burn_rates").get(0).path("window").asText()).isEqualTo("5m");
        assertThat(after.path("burn_rates").get(0).path("burn_rate").asDouble()).isCloseTo(20.0,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(after.path("alerts")).hasSize(4);
        assertThat(after.path("firing").get(0).asText()).startsWith("page:");
    }

    @Test
    void theAdminApiSetsReplacesAndRemovesObjectivesAndRefusesBadOnesWithWhatIsWrong() throws Exception {
        HttpResponse<String> created = send("POST", "/admin/api/slos", ADMIN_KEY,
                "{\"name\":\"search-ttft\",\"sli\":\"ttft\",\"objective\":99,\"window\":\"28d\",\"threshold\":\"2s\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(Json.mapper().readTree(created.body()).path("source").asText()).isEqualTo("api");
        assertThat(send("POST", "/admin/api/slos", ADMIN_KEY,
                "{\"name\":\"search-ttft\",\"sli\":\"ttft\",\"objective\":99,\"threshold\":\"2s\"}").statusCode())
                .isEqualTo(409);

        JsonNode listed = Json.mapper().readTree(send("GET", "/admin/api/slos", ADMIN_KEY, null).body());
        assertThat(listed.findValuesAsText("name")).containsExactly("chat-availability", "chat-latency", "chat-ttft",
                "search-ttft");
        assertThat(status("search-ttft").path("window").asText()).isEqualTo("28d");

        assertBadRequest("{\"name\":\"x\",\"sli\":\"ttft\",\"objective\":99}", "threshold");
        assertBadRequest("{\"name\":\"x\",\"sli\":\"availability\",\"objective\":99,\"threshold\":\"1s\"}", "threshold");
        assertBadRequest("{\"name\":\"x\",\"sli\":\"uptime\",\"objective\":99}", "sli");
        assertBadRequest("{\"name\":\"x\",\"sli\":\"availability\",\"objective\":100}", "objective");
        assertBadRequest("{\"name\":\"x\",\"sli\":\"availability\",\"objective\":\"99.9\"}", "objective");
        assertBadRequest("{\"name\":\"x\",\"sli\":\"availability\",\"objective\":99,\"window\":\"7d\"}", "window");
        assertBadRequest("{\"name\":\"x\",\"sli\":\"latency\",\"objective\":99,\"threshold\":\"soon\"}", "threshold");
        assertBadRequest("{\"name\":\"X Y\",\"sli\":\"availability\",\"objective\":99}", "name");
        assertBadRequest("{\"name\":\"x\",\"sli\":\"availability\",\"objective\":99,\"target\":1}", "target");
        assertBadRequest("[1]", null);

        assertThat(send("PUT", "/admin/api/slos/search-ttft", ADMIN_KEY,
                "{\"sli\":\"ttft\",\"objective\":99.5,\"threshold\":\"3s\"}").statusCode()).isEqualTo(200);
        assertThat(status("search-ttft").path("threshold").asText()).isEqualTo("3s");
        assertThat(send("DELETE", "/admin/api/slos/search-ttft", ADMIN_KEY, null).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/api/slo/search-ttft", null, null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/admin/api/slos/chat-availability", ADMIN_KEY, null).statusCode()).isEqualTo(409);
        assertThat(send("GET", "/admin/api/slos", "not-the-admin-key", null).statusCode()).isEqualTo(401);

        assertThat(gateway.audit().recent(10)).extracting(e -> e.action())
                .contains("slo.create", "slo.update", "slo.delete");
    }

    @Test
    void everySeriesTheGeneratedRulesReadIsOnTheGatewaysMetricsWithTheThresholdsAsBuckets() throws Exception {
        assertThat(send("POST", "/v1/chat/completions", key, "{\"model\":\"" + MODEL + "\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(200);
        String scrape = send("GET", "/metrics", null, null).body();
        String rules = new PrometheusRules("pitwall-gateway", "", "test")
                .file(gateway.gateway().slos().definitions().values());
        // Each metric name and bucket bound a rule's query names, as the registry writes it.
        java.util.regex.Matcher series = java.util.regex.Pattern.compile("(pitwall_gateway_[a-z_]+)\\{([^}]*)}")
                .matcher(rules);
        int checked = 0;
        while (series.find()) {
            String name = series.group(1);
            assertThat(scrape).as("the scrape has %s", name).contains(name + "{");
            java.util.regex.Matcher le = java.util.regex.Pattern.compile("le=\"([^\"]+)\"").matcher(series.group(2));
            if (le.find()) {
                assertThat(scrape).as("the scrape has %s with le=%s", name, le.group(1))
                        .containsPattern(java.util.regex.Pattern.quote(name) + "\\{[^}]*le=\"" + java.util.regex.Pattern.quote(le.group(1)) + "\"");
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(20);
        assertThat(rules).contains("le=\"2.0\"", "le=\"7.5\"");
    }

    private void assertBadRequest(String body, String param) throws Exception {
        HttpResponse<String> refused = send("POST", "/admin/api/slos", ADMIN_KEY, body);
        assertThat(refused.statusCode()).as(body).isEqualTo(400);
        JsonNode error = Json.mapper().readTree(refused.body()).path("error");
        assertThat(error.path("message").asText()).as(body).isNotBlank();
        if (param != null) {
            assertThat(error.path("param").asText()).as(body).isEqualTo(param);
        }
    }

    private JsonNode status(String name) throws Exception {
        HttpResponse<String> res = send("GET", "/api/slo/" + name, null, null);
        assertThat(res.statusCode()).isEqualTo(200);
        return Json.mapper().readTree(res.body());
    }

    private HttpResponse<String> chat() throws Exception {
        return send("POST", "/v1/chat/completions", key,
                "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    private HttpResponse<String> send(String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
