package dev.pitwall.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.testing.LogCapture;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import io.helidon.webserver.http.HttpService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP surface every deployment has: probes, metrics, errors, limits and shutdown. */
class HttpServerTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dataDir;

    private Pitwall pitwall;

    private Pitwall start(Map<String, HttpService> extra) {
        PitwallConfig config = PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(new ServerConfig("127.0.0.1", 0, 4096, Duration.ofSeconds(10), false));
        pitwall = Pitwall.start(config, Clock.systemUTC(), extra);
        return pitwall;
    }

    @AfterEach
    void stop() {
        if (pitwall != null) {
            pitwall.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + pitwall.port() + path);
    }

    @Test
    void answersLivenessAndReadinessWithTheStoreNamed() throws Exception {
        start(Map.of());
        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(live.body()).path("status").asText()).isEqualTo("UP");

        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        JsonNode check = Json.mapper().readTree(ready.body()).path("checks").get(0);
        assertThat(check.path("name").asText()).isEqualTo("storage");
        assertThat(check.path("status").asText()).isEqualTo("UP");
        assertThat(check.path("detail").asText()).startsWith("SQLite ").endsWith("pitwall.db");
    }

    @Test
    void isNotReadyWhenTheStoreIsGone() throws Exception {
        start(Map.of()).database().close();
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(Json.mapper().readTree(ready.body()).path("status").asText()).isEqualTo("DOWN");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void keepsTheOverviewsLoadHistoryForThePageToStartFrom() throws Exception {
        start(Map.of());
        HttpResponse<String> history = get("/api/system/history");
        assertThat(history.statusCode()).isEqualTo(200);
        JsonNode samples = Json.mapper().readTree(history.body());
        // Sampled from the start, before any page asked.
        assertThat(samples).isNotEmpty();
        assertThat(samples.get(0).path("epochMillis").asLong()).isPositive();
        assertThat(samples.get(0).path("heapUsedBytes").asDouble()).isPositive();
        assertThat(samples.get(0).has("requestsServed")).isTrue();

        // The sampler stops with the server: no thread left behind per stopped Pitwall.
        pitwall.close();
        pitwall = null;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("pitwall-load-history")) {
                thread.join(2000);
                assertThat(thread.isAlive()).as("the load sampler after close").isFalse();
            }
        }
    }

    @Test
    void exposesJvmProcessAndRequestMetricsInPrometheusFormat() throws Exception {
        start(Map.of());
        get("/health/live");
        get("/no/such/page");
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        String body = metrics.body();
        assertThat(body)
                .containsPattern("(?m)^jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"} \\d")
                .containsPattern("(?m)^jvm_gc_\\w+")
                .containsPattern("(?m)^jvm_threads_live_threads \\d")
                .containsPattern("(?m)^jvm_threads_virtual_\\w+")
                .containsPattern("(?m)^process_resident_memory_bytes [1-9]")
                .containsPattern("(?m)^hikaricp_connections\\{pool=\"pitwall-storage\"}")
                .containsPattern("(?m)^http_server_requests_seconds_count\\{method=\"GET\",outcome=\"SUCCESS\","
                        + "route=\"/health/live\",status=\"200\"} 1$")
                .containsPattern("(?m)^http_server_requests_seconds_count\\{method=\"GET\",outcome=\"CLIENT_ERROR\","
                        + "route=\"UNMATCHED\",status=\"404\"} 1$");
    }

    @Test
    void servesOpenMetricsWhenAskedFor() throws Exception {
        start(Map.of());
        HttpResponse<String> metrics = CLIENT.send(HttpRequest.newBuilder(uri("/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("application/openmetrics-text");
        assertThat(metrics.body()).endsWith("# EOF\n");
    }

    @Test
    void answersUnknownRoutesWithAJsonError() throws Exception {
        start(Map.of());
        HttpResponse<String> response = get("/api/nothing-here");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode error = Json.mapper().readTree(response.body()).path("error");
        assertThat(error.path("message").asText()).isEqualTo("no route for GET /api/nothing-here");
        assertThat(error.path("type").asText()).isEqualTo("not_found_error");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
    }

    @Test
    void neverShowsAStackTraceToTheClient() throws Exception {
        HttpService failing = rules -> rules.get("/", (req, res) -> {
            throw new IllegalStateException("secret internal detail");
        });
        start(Map.of("/boom", failing));
        HttpResponse<String> response = get("/boom");
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body())
                .doesNotContain("secret internal detail")
                .doesNotContain("IllegalStateException")
                .doesNotContain("at dev.pitwall");
        assertThat(Json.mapper().readTree(response.body()).path("error").path("type").asText()).isEqualTo("server_error");
    }

    @Test
    void refusesBodiesOverTheLimitWith413() throws Exception {
        HttpService echo = rules -> rules.post("/", (req, res) -> res.send(req.content().as(String.class)));
        start(Map.of("/echo", echo));
        HttpResponse<String> small = CLIENT.send(HttpRequest.newBuilder(uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(small.statusCode()).isEqualTo(200);

        HttpResponse<String> large = CLIENT.send(HttpRequest.newBuilder(uri("/echo")).expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(10_000))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(Json.mapper().readTree(large.body()).path("error").path("message").asText())
                .contains("server.max-request-bytes");

        // A chat request too large for the server is refused at the edge, in OpenAI's error shape, before the
        // gateway reads it: Expect: 100-continue, as clients that upload large bodies send it, lets the server
        // refuse before the body is on the wire instead of closing a connection the client still writes to.
        HttpResponse<String> chat = CLIENT.send(HttpRequest.newBuilder(uri("/v1/chat/completions")).expectContinue(true)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3-8b\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"" + "x".repeat(10_000) + "\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chat.statusCode()).isEqualTo(413);
        assertThat(Json.mapper().readTree(chat.body()).path("error").path("type").asText())
                .isEqualTo("invalid_request_error");
    }

    @Test
    void answersMalformedRequestsWithAJsonError() throws Exception {
        start(Map.of());
        try (Socket socket = new Socket("127.0.0.1", pitwall.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nBroken header without colon\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = readAll(socket.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 400");
            assertThat(response).contains("\"error\":{").contains("\"type\":\"invalid_request_error\"");
        }
    }

    @Test
    void answersABodyCutOffOrBadlyChunkedWith400NotA500() throws Exception {
        start(Map.of());
        String head = "Host: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Type: application/json\r\n\r\n";
        for (String path : List.of("/api/ingest/logs", "/v1/chat/completions", "/api/knowledge")) {
            for (String body : List.of("3\r\nabc\r\n", "zz\r\n", "5\r\nab", "")) {
                try (Socket socket = new Socket("127.0.0.1", pitwall.port())) {
                    socket.setSoTimeout(5000);
                    socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\n" + head + body)
                            .getBytes(StandardCharsets.ISO_8859_1));
                    socket.shutdownOutput(); // the body ends here, before its last chunk
                    String response = readAll(socket.getInputStream());
                    assertThat(response).as("%s with %s", path, body.replace("\r\n", "\\r\\n"))
                            .matches("(?s)HTTP/1\\.1 4\\d\\d .*").contains("\"error\":{");
                }
            }
        }
        assertThat(get("/health/live").statusCode()).as("still serving").isEqualTo(200);
    }

    /** One request written on a fresh connection, and what came back before the server closed it. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", pitwall.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readAll(socket.getInputStream());
        }
    }

    @Test
    void answersEveryRequestLineItCannotServeWithAJsonErrorAndALogLine() throws Exception {
        start(Map.of());
        try (LogCapture log = LogCapture.of("dev.pitwall.server.http")) {
            assertThat(raw("GET /health/live HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 505 HTTP Version Not Supported")
                    .contains("\"code\":\"http_version_not_supported\"").contains("proxy_http_version 1.1");
            assertThat(raw("GET /health/live HTTP/2.0\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 505")
                    .contains("HTTP/2.0 is not served here");
            assertThat(raw("\u0016\u0003\u0001 hello\r\n\r\n")).as("a TLS hello on the plain port")
                    .startsWith("HTTP/1.1 400").contains("\"code\":\"bad_request_line\"");
            assertThat(raw("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 414")
                    .contains("shorten the URL");
            assertThat(log.lines()).filteredOn(line -> line.contains("refused")).hasSize(4)
                    .anySatisfy(line -> assertThat(line).contains("505").contains("GET /health/live HTTP/1.0"));
        }
        assertThat(get("/health/live").statusCode()).as("still serving").isEqualTo(200);
    }

    @Test
    void answersMethodsAsHttpSays() throws Exception {
        start(Map.of());
        HttpResponse<String> wrongMethod = get("/v1/chat/completions");
        assertThat(wrongMethod.statusCode()).as("a wrong method is 405, before any key is asked for").isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST, OPTIONS");
        assertThat(Json.mapper().readTree(wrongMethod.body()).path("error").path("message").asText())
                .isEqualTo("GET is not served on /v1/chat/completions: use POST");

        HttpResponse<String> options = CLIENT.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(options.statusCode()).as("OPTIONS needs no key").isEqualTo(204);
        assertThat(options.headers().firstValue("Allow")).hasValue("POST, OPTIONS");

        HttpResponse<String> delete = CLIENT.send(HttpRequest.newBuilder(uri("/api/incidents")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("GET, HEAD, OPTIONS");

        HttpResponse<String> body = get("/health/ready");
        HttpResponse<String> head = CLIENT.send(HttpRequest.newBuilder(uri("/health/ready"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Length")).hasValue(String.valueOf(body.body().length()));
        assertThat(head.headers().firstValue("Content-Type")).isEqualTo(body.headers().firstValue("Content-Type"));
        assertThat(head.headers().allValues("Cache-Control")).as("one header line").containsExactly("no-cache");

        assertThat(get("/no/such/path").statusCode()).as("a path nothing serves is still 404").isEqualTo(404);
    }

    @Test
    void finishesRequestsInFlightBeforeClosingTheStore() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpService slow = rules -> rules.get("/", (req, res) -> {
            entered.countDown();
            release.await(30, TimeUnit.SECONDS);
            res.send("finished");
        });
        Pitwall running = start(Map.of("/slow", slow));
        CompletableFuture<HttpResponse<String>> inFlight = CLIENT.sendAsync(
                HttpRequest.newBuilder(uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(running::close);
        release.countDown();
        HttpResponse<String> response = inFlight.get(15, TimeUnit.SECONDS);
        closing.get(15, TimeUnit.SECONDS);
        pitwall = null;

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("finished");
        assertThat(running.database().ping(Duration.ofSeconds(1))).as("store closed after shutdown").isFalse();
    }

    private static String readAll(InputStream in) throws IOException {
        StringBuilder out = new StringBuilder();
        byte[] buffer = new byte[4096];
        int n;
        try {
            while ((n = in.read(buffer)) > 0) {
                out.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                if (out.indexOf("}}") >= 0) {
                    break;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            // the server kept the connection open after answering; what arrived is the answer
        }
        return out.toString();
    }

    @Test
    void answersRequestsWithoutABodyOrWithAFalseEncodingWith400() throws Exception {
        String admin = "admin-key-0123456789abcdef";
        pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(new ServerConfig("127.0.0.1", 0, 64 * 1024, Duration.ofSeconds(10), false))
                .withGateway(dev.pitwall.gateway.config.GatewayConfig.defaults().withAdminKey(admin)), Clock.systemUTC());
        String key = pitwall.gateway().apiKeys().create("team-a", "test").secret();
        Map<String, String> bearer = Map.of("/v1/chat/completions", key, "/admin/api/keys", admin);
        for (String path : List.of("/v1/chat/completions", "/admin/api/keys", "/api/knowledge",
                "/api/ingest/metrics?node=gpu-a01", "/api/ingest/inventory?node=gpu-a01")) {
            HttpRequest.Builder empty = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.noBody());
            if (bearer.containsKey(path.replaceAll("\\?.*", ""))) {
                empty.header("Authorization", "Bearer " + bearer.get(path));
            }
            HttpResponse<String> response = CLIENT.send(empty.build(), HttpResponse.BodyHandlers.ofString());
            // The metrics of a node with no GPUs is an empty exposition, fine; everything else needs a body.
            if (path.startsWith("/api/ingest/metrics")) {
                assertThat(response.statusCode()).as(path).isEqualTo(200);
            } else {
                assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(400);
                assertThat(Json.mapper().readTree(response.body()).path("error").path("type").asText())
                        .isEqualTo("invalid_request_error");
            }
        }
        HttpResponse<String> chat = CLIENT.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(Json.mapper().readTree(chat.body()).path("error").path("message").asText())
                .isEqualTo("the request has no body: send a JSON object");

        HttpResponse<String> notGzip = CLIENT.send(HttpRequest.newBuilder(uri("/loki/api/v1/push"))
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofString("{\"streams\": []}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notGzip.statusCode()).isEqualTo(400);
        assertThat(Json.mapper().readTree(notGzip.body()).path("error").path("message").asText())
                .isEqualTo("the request body is not gzip though its Content-Encoding says so");
    }
}
