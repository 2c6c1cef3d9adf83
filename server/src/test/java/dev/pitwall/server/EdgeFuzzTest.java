package dev.pitwall.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random request lines, headers and bodies against every route, over raw sockets: whatever
 * arrives, the answer is never a 5xx (but 505 for another HTTP version) and never a stack trace,
 * and the server stays healthy.
 */
class EdgeFuzzTest {

    private static final List<String> PATHS = List.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings",
            "/v1/models", "/api/ingest/logs", "/api/ingest/metrics?node=gpu-a01", "/api/ingest/inventory?node=gpu-a01",
            "/api/ingest/signals?limit=5", "/loki/api/v1/push", "/api/incidents", "/api/incidents/1",
            "/api/incidents/1/timeline?page=2", "/api/knowledge", "/api/knowledge/search?q=xid", "/api/acceptance/runs",
            "/api/serving", "/api/prompts", "/api/slo", "/api/audit", "/admin/api/keys", "/admin/api/tenants",
            "/admin/api/slos", "/admin/api/prompts",
            "/admin/api/prompts/p/labels/production", "/health/ready", "/metrics", "/openapi.yaml", "/", "/prompts",
            "/incidents", "/static/app.css", "/no/such/path");
    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.1 (\\d{3}) ");

    private static Path dataDir;
    private static Pitwall pitwall;

    @BeforeContainer
    static void start() throws IOException {
        dataDir = Files.createTempDirectory("pitwall-fuzz");
        pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(new ServerConfig("127.0.0.1", 0, 64 * 1024, Duration.ofSeconds(5), false)), Clock.systemUTC());
    }

    /** After all the tries: still ready. */
    @AfterContainer
    static void stop() throws Exception {
        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + pitwall.port() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        pitwall.close();
        assertThat(ready.statusCode()).as("ready after the fuzzing").isEqualTo(200);
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Property(tries = 300)
    void noRequestGetsA5xxOrAStackTrace(@ForAll("requests") byte[] request) throws Exception {
        String answer = send(request);
        Matcher status = STATUS.matcher(answer);
        assertThat(status.find()).as("an HTTP answer to %s", preview(request)).isTrue();
        int code = Integer.parseInt(status.group(1));
        boolean http11 = new String(request, StandardCharsets.ISO_8859_1).lines().findFirst().orElse("").endsWith(" HTTP/1.1");
        // 505 is the one 5xx a client earns: a request line of another HTTP version.
        assertThat(code == 505 ? http11 : code >= 500).as("status %d for %s: %s", code, preview(request), answer).isFalse();
        assertThat(answer).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("dev.pitwall.");
    }

    @Provide
    Arbitrary<byte[]> requests() {
        Arbitrary<String> method = Arbitraries.oneOf(
                Arbitraries.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"),
                Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(12));
        Arbitrary<String> path = Arbitraries.oneOf(Arbitraries.of(PATHS),
                Combinators.combine(Arbitraries.of(PATHS), Arbitraries.strings().ascii().ofMaxLength(40))
                        .as((p, junk) -> p + junk.replaceAll("[\\s]", "%20")));
        Arbitrary<String> version = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.just("HTTP/1.1")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("HTTP/1.0", "HTTP/2.0", "HTTP/9", "http/1.1", "")));
        Arbitrary<String> contentType = Arbitraries.of("application/json", "application/x-protobuf",
                "text/plain; version=0.0.4", "application/x-www-form-urlencoded", "", "garbage/☃");
        Arbitrary<String> encoding = Arbitraries.of("", "", "", "gzip", "snappy", "br, gzip", "identity");
        Arbitrary<byte[]> body = Arbitraries.oneOf(
                Arbitraries.just(new byte[0]),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                Arbitraries.of("{}", "[]", "null", "{\"model\": 1}", "{\"model\":\"sim-small\",\"messages\":[]}",
                        "{\"streams\":[{\"stream\":{\"host\":\"a\"},\"values\":[[\"1\",\"x\"]]}]}", "{\"lines\": 7}",
                        "{\"tenant\": \"../x\"}", "{\"title\": \"" + "x".repeat(2000) + "\"}", "{\"a\":", "\uFEFF{}")
                        .map(text -> text.getBytes(StandardCharsets.UTF_8)));
        Arbitrary<String> extraHeader = Arbitraries.of("", "Authorization: Bearer nope\r\n", "Authorization: Basic x\r\n",
                "Accept: text/event-stream\r\n", "Transfer-Encoding: chunked\r\n", "X-Broken\r\n", "Host: \r\n",
                "Content-Length: -1\r\n", "Expect: 100-continue\r\n");
        return Combinators.combine(method, path, version, contentType, encoding, body, extraHeader)
                .as((m, p, v, type, enc, b, extra) -> request(m, p, v, type, enc, b, extra));
    }

    private static byte[] request(String method, String path, String version, String type, String encoding, byte[] body,
                                  String extra) {
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(' ').append(version).append("\r\n")
                .append("Host: 127.0.0.1\r\nConnection: close\r\n").append(extra);
        if (!type.isEmpty()) {
            head.append("Content-Type: ").append(type).append("\r\n");
        }
        if (!encoding.isEmpty()) {
            head.append("Content-Encoding: ").append(encoding).append("\r\n");
        }
        if (!extra.startsWith("Transfer-Encoding") && !extra.startsWith("Content-Length")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Sends the bytes and reads the answer: until the server closes, or 3 s pass after the last byte. */
    private static String send(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", pitwall.port())) {
            socket.setSoTimeout(3000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // the server kept the connection open after answering, or reset it after the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String preview(byte[] request) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
