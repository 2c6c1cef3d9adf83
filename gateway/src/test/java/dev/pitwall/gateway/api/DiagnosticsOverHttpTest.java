package dev.pitwall.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.DiagnosticsConfig;
import dev.pitwall.gateway.config.GatewayConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diagnostics over loopback HTTP: a request held up in the gateway by a GC pause while its
 * client was still sending is listed with both causes; one held up by its backend is not
 * listed at all; a profile and a heap histogram come back in their formats.
 */
class DiagnosticsOverHttpTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String ADMIN_KEY = "admin-key-for-the-tests";
    private static final String MODEL = "chat-model";

    @TempDir
    Path dataDir;

    private ChatBackend backend;
    private GatewayServer gateway;
    private String key;

    @BeforeEach
    void start() {
        backend = new ChatBackend((body, res) -> {
            if (body.contains("slow backend")) {
                Thread.sleep(400);
            }
            ChatBackend.answer(res, MODEL, "All well.");
        });
        gateway = new GatewayServer(GatewayConfig.defaults().withAdminKey(ADMIN_KEY)
                .withDiagnostics(new DiagnosticsConfig(true, Duration.ofMillis(100), Duration.ofMillis(5)))
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
    void aRequestHeldUpInTheGatewayIsListedWithItsCausesAndOneHeldUpByItsBackendIsNot() throws Exception {
        // The first request pays for class loading and warm-up; it may be listed, rightly.
        assertThat(chat("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode()).isEqualTo(200);
        assertThat(chat("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"slow backend\"}]}")
                .statusCode()).isEqualTo(200);

        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"client\"}]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + bytes.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The server says "100 Continue" once the request's handler reads its body: from then on,
            // the request cannot end before the body has come, so this pause and the wait are in it.
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(25), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 100 Continue");
            System.gc();
            Thread.sleep(150);
            out.write(bytes);
            out.flush();
            assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
        }

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            JsonNode listed = admin("/admin/api/slow-requests?window=5m").path("requests");
            assertThat(listed).anySatisfy(slow -> {
                assertThat(slow.path("gateway_ms").asDouble()).isGreaterThanOrEqualTo(150);
                assertThat(slow.path("causes").findValuesAsText("cause")).contains("gc_pause", "socket_read");
            });
        });
        // The request whose backend took 400 ms spent little of it in the gateway: not listed.
        JsonNode listed = admin("/admin/api/slow-requests").path("requests");
        assertThat(listed).noneMatch(slow -> slow.path("backend_ms").asDouble() >= 350);
        // The Serving page's data carries the same list.
        JsonNode serving = Json.mapper().readTree(get("/api/serving", null).body());
        assertThat(serving.path("slowRequests")).hasSameSizeAs(listed);
    }

    @Test
    void aProfileIsAFlightRecordingAndTheHeapAClassHistogram() throws Exception {
        HttpResponse<byte[]> profile = CLIENT.send(HttpRequest.newBuilder(uri("/admin/api/profile?seconds=1"))
                .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(profile.statusCode()).isEqualTo(200);
        // Every Flight Recorder file starts with its magic, "FLR\0".
        assertThat(new String(profile.body(), 0, 3, StandardCharsets.US_ASCII)).isEqualTo("FLR");
        assertThat(profile.headers().firstValue("Content-Disposition").orElse("")).contains(".jfr");

        JsonNode heap = admin("/admin/api/heap?limit=5");
        assertThat(heap.path("classes")).hasSize(5);
        assertThat(heap.path("classes").get(0).path("bytes").asLong()).isPositive();
        assertThat(heap.path("total_bytes").asLong()).isGreaterThan(heap.path("classes").get(0).path("bytes").asLong());
    }

    @Test
    void badParametersAreRefusedWithWhatTheyTakeAndTheRoutesNeedTheAdminKey() throws Exception {
        for (String path : List.of("/admin/api/profile?seconds=0", "/admin/api/profile?seconds=301",
                "/admin/api/slow-requests?window=soon", "/admin/api/slow-requests?window=1d",
                "/admin/api/slow-requests?limit=0", "/admin/api/heap?limit=x")) {
            HttpResponse<String> refused = get(path, ADMIN_KEY);
            assertThat(refused.statusCode()).as(path).isEqualTo(400);
            assertThat(Json.mapper().readTree(refused.body()).path("error").path("message").asText()).as(path)
                    .contains("must be");
        }
        for (String path : List.of("/admin/api/profile", "/admin/api/heap", "/admin/api/slow-requests")) {
            assertThat(get(path, null).statusCode()).as(path).isEqualTo(401);
        }
    }

    private JsonNode admin(String path) throws Exception {
        HttpResponse<String> res = get(path, ADMIN_KEY);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return Json.mapper().readTree(res.body());
    }

    private HttpResponse<String> get(String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> chat(String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri("/v1/chat/completions")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }
}
