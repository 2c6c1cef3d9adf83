package dev.pitwall.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes push log lines; faults are detected, stored and counted, bad lines are refused one by one,
 * and the signals of one failure become an incident that operators move through its lifecycle.
 */
class LogIngestTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private Pitwall pitwall;

    @BeforeEach
    void start() {
        pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir).withServer(ServerConfig.defaults().withPort(0)),
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        pitwall.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pitwall.port() + path));
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send(at(path).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void keepsTheGoodLinesOfABatchAndSaysWhyTheOthersWereRefused() throws Exception {
        String batch = String.join("\n",
                "{\"node\":\"gpu-a07\",\"source\":\"kernel\",\"line\":\"NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, name=python, GPU has fallen off the bus.\"}",
                "{\"node\":\"gpu-a07\",\"source\":\"kernel\",\"line\":\"systemd[1]: Started Session 4 of user root.\"}",
                "this is not json",
                "{\"source\":\"job\",\"line\":\"loss: nan\"}",
                "{\"node\":\"gpu-a02\",\"source\":\"job\",\"line\":\" iteration 1200 | lm loss: nan |\"}",
                "{\"node\":\"../../etc\",\"source\":\"kernel\",\"line\":\"NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=x, y\"}",
                "{\"node\":\"gpu a03\",\"source\":\"kernel\",\"line\":\"NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=x, y\"}",
                "{\"node\":\"-gpu-a04\",\"source\":\"kernel\",\"line\":\"NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=x, y\"}",
                "[\"gpu-a05\", \"NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=x, y\"]",
                "{\"node\":\"gpu-a05\",\"line\":79}",
                "{\"node\":\"gpu-a05\",\"line\":\"a\"} {\"node\":\"gpu-a06\",\"line\":\"b\"}",
                // A field of its own, nested, with a \"line\" inside: skipped whole, the line is the outer one.
                "{\"node\":\"gpu-a08\",\"labels\":{\"rack\":\"r1\",\"line\":\"NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=x, y\"},"
                        + "\"line\":\"systemd[1]: Started Session 5 of user root.\"}");
        HttpResponse<String> response = post("/api/ingest/logs", batch);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = Json.mapper().readTree(response.body());
        assertThat(answer.path("accepted").asInt()).isEqualTo(4);
        assertThat(answer.path("signals").asInt()).isEqualTo(2);
        assertThat(answer.path("rejected").findValuesAsText("reason"))
                .containsExactly("not JSON", "node is missing: the host name of the node it comes from",
                        "node \"../../etc\" is not a host name (RFC 1123: letters, digits and hyphens in dot-separated "
                                + "labels of at most 63 characters)",
                        "node \"gpu a03\" is not a host name (RFC 1123: letters, digits and hyphens in dot-separated "
                                + "labels of at most 63 characters)",
                        "node \"-gpu-a04\" is not a host name (RFC 1123: letters, digits and hyphens in dot-separated "
                                + "labels of at most 63 characters)",
                        "not a JSON object", "line is missing: the log line itself",
                        "not JSON: more follows the object on its line");
        assertThat(answer.path("rejected").findValues("line")).extracting(JsonNode::asInt)
                .containsExactly(3, 4, 6, 7, 8, 9, 10, 11);

        JsonNode signals = Json.mapper().readTree(send(at("/api/ingest/signals?limit=10")).body());
        assertThat(signals).hasSize(2);
        assertThat(signals.get(1).path("node").asText()).isEqualTo("gpu-a07");
        assertThat(signals.get(1).path("signal").path("severity").asText()).isEqualTo("critical");
        assertThat(signals.get(1).path("signal").path("fields").path("xid").asText()).isEqualTo("79");
        assertThat(signals.get(0).path("signal").path("rule").asText()).isEqualTo("nan-loss");

        String metrics = send(at("/metrics")).body();
        assertThat(metrics).contains("pitwall_ingest_lines_total{outcome=\"accepted\"} 4.0")
                .contains("pitwall_ingest_lines_total{outcome=\"rejected\"} 8.0")
                .contains("pitwall_ingest_signals_total 2.0");
        assertThat(send(at("/training")).body()).contains("gpu-a07").contains("Xid 79: GPU has fallen off the bus");
        assertThat(send(at("/api/ingest/signals?limit=0")).statusCode()).isEqualTo(400);
    }

    /** A PushRequest with one stream and one entry, written field by field as Loki's push.proto numbers them. */
    private static byte[] lokiProtobuf(String labels, long seconds, String line) throws Exception {
        java.io.ByteArrayOutputStream timestamp = new java.io.ByteArrayOutputStream();
        var ts = com.google.protobuf.CodedOutputStream.newInstance(timestamp);
        ts.writeInt64(1, seconds);
        ts.writeInt32(2, 123_000_000);
        ts.flush();
        java.io.ByteArrayOutputStream entry = new java.io.ByteArrayOutputStream();
        var e = com.google.protobuf.CodedOutputStream.newInstance(entry);
        e.writeByteArray(1, timestamp.toByteArray());
        e.writeString(2, line);
        e.flush();
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        var st = com.google.protobuf.CodedOutputStream.newInstance(stream);
        st.writeString(1, labels);
        st.writeByteArray(2, entry.toByteArray());
        st.flush();
        java.io.ByteArrayOutputStream request = new java.io.ByteArrayOutputStream();
        var r = com.google.protobuf.CodedOutputStream.newInstance(request);
        r.writeByteArray(1, stream.toByteArray());
        r.flush();
        return org.xerial.snappy.Snappy.compress(request.toByteArray());
    }

    @Test
    void takesLokiPushesFromExistingShippers() throws Exception {
        long ns = Instant.parse("2026-11-24T08:00:00.123456789Z").getEpochSecond() * 1_000_000_000L + 123_456_789L;
        String push = """
                {"streams": [
                  {"stream": {"host": "gpu-b06", "job": "kernel"},
                   "values": [["%d", "NVRM: Xid (PCI:0000:5d:00): 48, pid=907, name=python, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at partition 0, subpartition 0."],
                              ["%d", "systemd[1]: Started Session 9."],
                              ["yesterday", "x"]]},
                  {"stream": {"job": "train"}, "values": [["%d", "loss: nan"]]},
                  {"stream": {"host": "../../etc/passwd"}, "values": [["%d", "loss: nan"]]}
                ]}""".formatted(ns, ns + 1, ns, ns);
        // Gzip, as Fluent Bit and Vector send it.
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(zipped)) {
            gzip.write(push.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        HttpResponse<String> response = send(at("/loki/api/v1/push").header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray())));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = Json.mapper().readTree(response.body());
        assertThat(answer.path("accepted").asInt()).isEqualTo(2);
        assertThat(answer.path("signals").asInt()).isEqualTo(1);
        assertThat(answer.path("rejected").findValuesAsText("entry"))
                .containsExactly("streams[0].values[2]", "streams[1]", "streams[2]");
        assertThat(answer.path("rejected").get(1).path("reason").asText()).startsWith("no node label");
        assertThat(answer.path("rejected").get(2).path("reason").asText())
                .startsWith("node \"../../etc/passwd\" is not a host name");

        JsonNode signal = Json.mapper().readTree(send(at("/api/ingest/signals?limit=1")).body()).get(0);
        assertThat(signal.path("node").asText()).isEqualTo("gpu-b06");
        assertThat(signal.path("source").asText()).isEqualTo("kernel");
        assertThat(signal.path("occurredAt").asText()).isEqualTo("2026-11-24T08:00:00.123Z");

        // All kept: 204 as Loki answers. Protobuf: a clear refusal.
        String clean = "{\"streams\":[{\"stream\":{\"node\":\"gpu-b01\"},\"values\":[[\"" + ns + "\",\"ok\"]]}]}";
        assertThat(send(at("/loki/api/v1/push").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(clean))).statusCode()).isEqualTo(204);
        // Promtail's and Alloy's default: a snappy-compressed logproto.PushRequest.
        assertThat(send(at("/loki/api/v1/push").header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(lokiProtobuf("{host=\"gpu-b07\", job=\"varlogs\", "
                        + "training_job=\"llama\"}", 1_764_000_000L, "NVRM: Xid (PCI:0000:3b:00): 79, pid=2, name=python, "
                        + "GPU has fallen off the bus.")))).statusCode()).isEqualTo(204);
        JsonNode fromProtobuf = Json.mapper().readTree(send(at("/api/ingest/signals?limit=1")).body()).get(0);
        assertThat(fromProtobuf.path("node").asText()).isEqualTo("gpu-b07");
        assertThat(fromProtobuf.path("job").asText()).isEqualTo("llama");
        assertThat(fromProtobuf.path("occurredAt").asText()).isEqualTo("2025-11-24T16:00:00.123Z");
        HttpResponse<String> garbage = send(at("/loki/api/v1/push").header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofString("not snappy")));
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("not a snappy-compressed Loki PushRequest");
        assertThat(send(at("/loki/api/v1/push").POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode()).isEqualTo(400);
    }

    @Test
    void aFlappingLinkIsOneErrorNotSixWarnings() throws Exception {
        // Six "Link down" lines on one node in five seconds, in two pushes, as an agent sends them second by second.
        Instant t0 = Instant.parse("2026-11-24T08:00:00Z");
        java.util.function.IntFunction<String> down = n -> "{\"node\":\"gpu-f01\",\"source\":\"kernel\",\"time\":\""
                + t0.plusMillis(n * 800L) + "\",\"line\":\"mlx5_core 0000:5e:00.1 ib0: Link down\"}";
        post("/api/ingest/logs", String.join("\n", down.apply(0), down.apply(1), down.apply(2)));
        post("/api/ingest/logs", String.join("\n", down.apply(3), down.apply(4), down.apply(5),
                "{\"node\":\"gpu-f02\",\"source\":\"kernel\",\"time\":\"" + t0 + "\",\"line\":\"mlx5_core 0000:5e:00.1 "
                        + "ib0: Link down\"}"));
        JsonNode signals = Json.mapper().readTree(send(at("/api/ingest/signals?limit=10")).body());
        assertThat(signals).hasSize(2);
        JsonNode flapping = java.util.stream.StreamSupport.stream(signals.spliterator(), false)
                .filter(s -> s.path("node").asText().equals("gpu-f01")).findFirst().orElseThrow();
        assertThat(flapping.path("signal").path("severity").asText()).isEqualTo("error");
        assertThat(flapping.path("signal").path("fields").path("count").asText()).isEqualTo("6");
        assertThat(flapping.path("signal").path("meaning").asText()).startsWith("the link is flapping")
                .endsWith("(6 times within 10s)");
        JsonNode once = java.util.stream.StreamSupport.stream(signals.spliterator(), false)
                .filter(s -> s.path("node").asText().equals("gpu-f02")).findFirst().orElseThrow();
        assertThat(once.path("signal").path("severity").asText()).as("one down is a warning").isEqualTo("warning");
        // The flapping link, an error, opened an incident on its node.
        JsonNode incidents = Json.mapper().readTree(send(at("/api/incidents")).body());
        assertThat(incidents).singleElement().satisfies(i -> assertThat(i.path("nodes").toString()).contains("gpu-f01"));

        // Two bursts a minute apart in one push are two signals, each counted.
        StringBuilder two = new StringBuilder();
        for (long at : new long[] {0, 800, 1600, 60_000, 60_800, 61_600}) {
            two.append("{\"node\":\"gpu-f03\",\"source\":\"kernel\",\"time\":\"").append(t0.plusMillis(600_000 + at))
                    .append("\",\"line\":\"mlx5_core 0000:5e:00.1 ib0: Link down\"}\n");
        }
        post("/api/ingest/logs", two.toString());
        JsonNode all = Json.mapper().readTree(send(at("/api/ingest/signals?limit=10")).body());
        assertThat(java.util.stream.StreamSupport.stream(all.spliterator(), false)
                .filter(s -> s.path("node").asText().equals("gpu-f03")))
                .hasSize(2).allSatisfy(s -> {
                    assertThat(s.path("signal").path("fields").path("count").asText()).isEqualTo("3");
                    assertThat(s.path("signal").path("severity").asText()).isEqualTo("error");
                });
    }

    @Test
    void refusesBrokenLokiPushesWithTheReasonAndNoParserInternals() throws Exception {
        byte[] protobuf = lokiProtobuf("{host=\"gpu-b07\"}", 1_764_000_000L, "NVRM: Xid (PCI:0000:3b:00): 79, pid=2, name=python");
        byte[] cut = java.util.Arrays.copyOf(protobuf, protobuf.length / 2);
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(zipped)) {
            gzip.write("{\"streams\": []}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        byte[] cutGzip = java.util.Arrays.copyOf(zipped.toByteArray(), 12);
        Map<String, HttpRequest.Builder> broken = new java.util.LinkedHashMap<>();
        broken.put("empty body", at("/loki/api/v1/push").header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.noBody()));
        broken.put("not a snappy-compressed Loki PushRequest: it is cut short", at("/loki/api/v1/push")
                .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(cut)));
        broken.put("Content-Encoding snappy is not supported", at("/loki/api/v1/push")
                .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                .POST(HttpRequest.BodyPublishers.ofByteArray(protobuf)));
        broken.put("ends before its gzip stream does", at("/loki/api/v1/push").header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(cutGzip)));
        broken.put("not JSON (line 1, column 14)", at("/loki/api/v1/push").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"streams\": [}")));
        for (var request : broken.entrySet()) {
            HttpResponse<String> response = send(request.getValue());
            assertThat(response.statusCode()).as(request.getKey()).isEqualTo(400);
            String message = Json.mapper().readTree(response.body()).path("error").path("message").asText();
            assertThat(message).contains(request.getKey()).doesNotContain("PARSING_ERROR").doesNotContain("ZLIB")
                    .doesNotContain("Unexpected");
        }
    }

    @Test
    void measuresTimeToDetectFromWhenTheLinesWereWritten() throws Exception {
        Instant written = Instant.now().minusSeconds(95);
        HttpResponse<String> response = post("/api/ingest/logs", String.join("\n",
                "{\"node\":\"gpu-a07\",\"job\":\"llama-70b\",\"time\":\"" + written + "\",\"line\":\"NVRM: Xid (PCI:0000:3b:00): 79, pid=1, "
                        + "name=python, GPU has fallen off the bus.\"}",
                "{\"node\":\"gpu-a07\",\"time\":" + written.plusSeconds(5).toEpochMilli() + ",\"line\":\"NVRM: Xid "
                        + "(PCI:0000:3b:00): 79, pid=1, name=python, GPU has fallen off the bus.\"}",
                "{\"node\":\"gpu-a07\",\"time\":\"yesterday\",\"line\":\"x\"}"));
        JsonNode answer = Json.mapper().readTree(response.body());
        assertThat(answer.path("rejected").findValuesAsText("reason"))
                .containsExactly("time is neither RFC 3339 text (2026-11-24T08:00:00Z) nor epoch milliseconds");
        JsonNode incident = Json.mapper().readTree(send(at("/api/incidents")).body()).get(0);
        assertThat(incident.path("startedAt").asText()).isEqualTo(written.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
        assertThat(incident.path("timeToDetectSeconds").asDouble()).isBetween(95.0, 125.0);
        assertThat(incident.path("job").asText()).isEqualTo("llama-70b");
    }

    @Test
    void aHungCollectiveAndAnXidMakeOneIncidentThatOperatorsSeeThrough() throws Exception {
        String timeout = "Watchdog caught collective operation timeout: WorkNCCL(SeqNum=2183, OpType=ALLREDUCE, "
                + "Timeout(ms)=600000) ran for 600123 milliseconds before timing out.";
        post("/api/ingest/logs", String.join("\n",
                "{\"node\":\"gpu-a01\",\"source\":\"job\",\"line\":\"[rank0]:" + timeout + "\"}",
                "{\"node\":\"gpu-a02\",\"source\":\"job\",\"line\":\"[rank8]:" + timeout + "\"}",
                "{\"node\":\"gpu-a07\",\"source\":\"kernel\",\"line\":\"NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, "
                        + "name=python, GPU has fallen off the bus.\"}"));

        JsonNode listed = Json.mapper().readTree(send(at("/api/incidents")).body());
        assertThat(listed).hasSize(1);
        JsonNode incident = listed.get(0);
        assertThat(incident.path("suspectedNode").asText()).isEqualTo("gpu-a07");
        assertThat(incident.path("signals").asInt()).isEqualTo(3);
        assertThat(incident.path("state").asText()).isEqualTo("DETECTED");
        assertThat(incident.path("timeToRecoverSeconds").isNull()).isTrue();
        long id = incident.path("id").asLong();

        HttpResponse<String> acknowledged = post("/api/incidents/" + id + "/acknowledge", "{\"by\":\"alice\"}");
        assertThat(acknowledged.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(acknowledged.body()).path("state").asText()).isEqualTo("ACKNOWLEDGED");
        HttpResponse<String> mitigated = post("/api/incidents/" + id + "/mitigate", "");
        assertThat(Json.mapper().readTree(mitigated.body()).path("timeToRecoverSeconds").asDouble()).isNotNegative();

        HttpResponse<String> again = post("/api/incidents/" + id + "/acknowledge", "");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(Json.mapper().readTree(again.body()).at("/error/message").asText())
                .isEqualTo("incident " + id + " is already mitigated");
        assertThat(post("/api/incidents/" + id + "/reopen", "").statusCode()).isEqualTo(404);
        assertThat(post("/api/incidents/999999/resolve", "").statusCode()).isEqualTo(404);
        assertThat(send(at("/api/incidents?limit=all")).statusCode()).isEqualTo(400);
        assertThat(post("/api/incidents/" + id + "/resolve", "by alice").statusCode()).isEqualTo(400);
        assertThat(post("/api/incidents/" + id + "/resolve", "{\"knowledge\":{\"entry\":9999}}").statusCode()).isEqualTo(400);
        assertThat(post("/api/incidents/" + id + "/acknowledge", "{\"knowledge\":{\"fix\":\"x\"}}").statusCode())
                .as("knowledge only on resolve").isEqualTo(400);

        // The timeline: the three signals, then each lifecycle step in order.
        JsonNode one = Json.mapper().readTree(send(at("/api/incidents/" + id)).body());
        assertThat(one.path("timeline").findValuesAsText("what")).containsExactly("nccl-watchdog-timeout",
                "nccl-watchdog-timeout", "xid", "detected", "acknowledged", "mitigated");
        assertThat(one.path("timeline").get(2).path("node").asText()).isEqualTo("gpu-a07");
        assertThat(send(at("/api/incidents/424242")).statusCode()).isEqualTo(404);
        // Its best knowledge-base match, with a score.
        assertThat(one.path("knowledge").get(0).path("entry").path("title").asText()).isEqualTo("GPU fallen off the bus (Xid 79)");
        assertThat(one.path("knowledge").get(0).path("score").asDouble()).isPositive();

        String training = send(at("/training")).body();
        assertThat(training).contains("data-incident=\"" + id + "\"").contains("GPU has fallen off the bus")
                .contains("mitigated");
        assertThat(training).contains("id=\"reliability\"").contains("Failure modes (Pareto)").contains("MTBF, cluster")
                .contains("href=\"/training/incidents/" + id + "\"");
        String page = send(at("/training/incidents/" + id)).body();
        assertThat(page).contains("<h2>Timeline</h2>").contains("nccl-watchdog-timeout").contains("acknowledged")
                .contains("gpu-a07");
        HttpResponse<String> missing = send(at("/training/incidents/999"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("There is no incident 999.");

        // Resolving writes what was learnt into the knowledge base, found by this incident's symptoms.
        HttpResponse<String> resolved = post("/api/incidents/" + id + "/resolve", "{\"by\":\"alice\",\"knowledge\":{"
                + "\"title\":\"gpu-a07 GPU falls off the bus under load\",\"rootCause\":\"a cracked riser in gpu-a07\","
                + "\"fix\":\"replaced the riser\",\"references\":[\"RMA-1182\"]}}");
        assertThat(resolved.statusCode()).isEqualTo(200);
        JsonNode entry = Json.mapper().readTree(resolved.body()).path("knowledgeEntry");
        assertThat(entry.path("origin").asText()).isEqualTo("incident " + id);
        assertThat(entry.path("symptom").asText()).contains("xid 79").contains("nccl-watchdog-timeout");
        JsonNode found = Json.mapper().readTree(send(at("/api/knowledge?q=cracked+riser&limit=1")).body());
        assertThat(found.get(0).path("entry").path("id").asLong()).isEqualTo(entry.path("id").asLong());
        assertThat(send(at("/api/knowledge/" + entry.path("id").asLong())).statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(send(at("/api/knowledge")).body())).hasSize(11);
        HttpResponse<String> created = post("/api/knowledge", "{\"title\":\"t\",\"symptom\":\"s\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(post("/api/knowledge", "{\"title\":\"t\"}").body()).contains("symptom is missing");

        String audit = send(at("/api/audit")).body();
        assertThat(audit).contains("incident.acknowledged").contains("alice").contains("incident.mitigated");
        assertThat(audit).contains("incident.resolved");
    }

    @Test
    void groupsRepeatedSignalsAndPagesALongTimeline() throws Exception {
        StringBuilder batch = new StringBuilder("{\"node\":\"gpu-a01\",\"source\":\"kernel\",\"line\":\"NVRM: Xid "
                + "(PCI:0000:3b:00): 79, pid=1, name=python, GPU has fallen off the bus.\"}\n");
        for (int i = 0; i < 300; i++) {
            batch.append("{\"node\":\"gpu-a01\",\"source\":\"kernel\",\"line\":\"mlx5_0: Link down\"}\n");
        }
        for (int seq = 1; seq <= 150; seq++) {
            batch.append("{\"node\":\"gpu-a01\",\"source\":\"job\",\"line\":\"Watchdog caught collective operation "
                    + "timeout: WorkNCCL(SeqNum=").append(seq).append(", OpType=ALLREDUCE) ran for 600123 ms\"}\n");
        }
        assertThat(post("/api/ingest/logs", batch.toString()).statusCode()).isEqualTo(200);

        JsonNode first = Json.mapper().readTree(send(at("/api/incidents/1?limit=100")).body());
        // The link going down 300 times is one signal (a burst), counted: 1 + 1 + 150 signals.
        assertThat(first.path("signals").asInt()).isEqualTo(152);
        // The Xid, the link going down 300 times as one entry, 150 different timeouts, and the detection.
        assertThat(first.path("timelineTotal").asInt()).isEqualTo(153);
        assertThat(first.path("timeline")).hasSize(100);
        JsonNode flaps = java.util.stream.StreamSupport.stream(first.path("timeline").spliterator(), false)
                .filter(e -> e.path("what").asText().equals("ib-link-down")).findFirst().orElseThrow();
        assertThat(flaps.path("count").asInt()).isEqualTo(300);
        assertThat(flaps.path("lastAt").asText()).isNotEmpty();
        JsonNode rest = Json.mapper().readTree(send(at("/api/incidents/1?offset=100&limit=100")).body());
        assertThat(rest.path("timeline")).hasSize(53);
        assertThat(rest.path("timelineOffset").asInt()).isEqualTo(100);
        assertThat(send(at("/api/incidents/1?offset=-3")).statusCode()).isEqualTo(400);
        assertThat(send(at("/api/incidents/1?limit=5000")).statusCode()).isEqualTo(400);

        String page1 = send(at("/training/incidents/1")).body();
        assertThat(page1).contains("Timeline entries 1–100 of 153").contains("href=\"/training/incidents/1?page=2\"")
                .doesNotContain("Previous page");
        String page2 = send(at("/training/incidents/1?page=2")).body();
        assertThat(page2).contains("Timeline entries 101–153 of 153").contains("?page=1").doesNotContain("Next page");
    }
}
