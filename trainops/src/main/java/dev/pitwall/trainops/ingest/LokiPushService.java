package dev.pitwall.trainops.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.json.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Loki's push API, so that log shippers already on the nodes (Fluent Bit, Vector, Grafana Alloy
 * or Promtail set to JSON) can send to Pitwall: {@code POST /loki/api/v1/push} with
 * {@code {"streams":[{"stream":{"host":"gpu-a01","job":"kernel"},"values":[["<unix ns>","<line>"]]}]}},
 * optionally gzip-encoded (Content-Encoding: gzip). The node comes from the stream's {@code node}, {@code host},
 * {@code hostname}, {@code nodename} or {@code instance} label; the source from {@code source},
 * {@code job} or {@code filename}; the training job from {@code training_job}. An entry that cannot be read is refused with where it is and
 * why, the rest kept. Answers 204 as Loki does when all was kept, else 200 with the refusals.
 */
public final class LokiPushService implements HttpService {

    public static final String PATH = "/loki/api/v1";
    private static final List<String> NODE_LABELS = List.of("node", "host", "hostname", "nodename", "instance");
    private static final List<String> SOURCE_LABELS = List.of("source", "job", "filename");
    /** Loki's "job" label names the shipper's scrape job; the training job comes under its own label. */
    private static final List<String> JOB_LABELS = List.of("training_job");

    private final IngestService ingest;

    public LokiPushService(IngestService ingest) {
        this.ingest = ingest;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/push", this::push);
    }

    private void push(ServerRequest req, ServerResponse res) throws IOException {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT);
        if (type.contains("protobuf")) {
            ApiError.of(Status.UNSUPPORTED_MEDIA_TYPE_415, "Pitwall takes Loki pushes as JSON: set the shipper's Loki "
                    + "output to JSON encoding (Content-Type: application/json)").send(res);
            return;
        }
        JsonNode body;
        // A gzip-encoded body arrives decoded: the web server's gzip content encoding handles it.
        try (InputStream in = req.content().inputStream()) {
            body = Json.mapper().readTree(in);
        } catch (IOException e) {
            ApiError.of(Status.BAD_REQUEST_400, "the body is not JSON: " + e.getMessage()).send(res);
            return;
        }
        if (body == null || !body.path("streams").isArray()) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "expected {\"streams\": [{\"stream\": {labels}, \"values\": "
                    + "[[\"<unix ns>\", \"<line>\"]]}]}", "streams", null).send(res);
            return;
        }
        List<IngestService.Line> lines = new ArrayList<>();
        List<IngestService.Rejection> rejections = new ArrayList<>();
        for (int s = 0; s < body.get("streams").size(); s++) {
            JsonNode stream = body.get("streams").get(s);
            Optional<String> node = label(stream.path("stream"), NODE_LABELS);
            String source = label(stream.path("stream"), SOURCE_LABELS).orElse("loki");
            String job = label(stream.path("stream"), JOB_LABELS).orElse(null);
            JsonNode values = stream.path("values");
            if (node.isEmpty() || !values.isArray()) {
                rejections.add(new IngestService.Rejection("streams[" + s + "]", node.isEmpty()
                        ? "no node label: give the stream one of " + String.join(", ", NODE_LABELS)
                        : "values is missing: [[\"<unix ns>\", \"<line>\"], ...]"));
                continue;
            }
            for (int v = 0; v < values.size(); v++) {
                JsonNode value = values.get(v);
                String where = "streams[" + s + "].values[" + v + "]";
                Instant at = value.isArray() && value.size() >= 2 ? nanos(value.get(0)) : null;
                if (at == null || !value.get(1).isTextual()) {
                    rejections.add(new IngestService.Rejection(where, "expected [\"<unix epoch nanoseconds>\", \"<line>\"]"));
                    continue;
                }
                lines.add(new IngestService.Line(where, node.get(), source, job, at, value.get(1).asText()));
            }
        }
        ObjectNode answer = ingest.accept(lines, rejections);
        if (rejections.isEmpty()) {
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(answer.toString());
    }

    private static Optional<String> label(JsonNode labels, List<String> names) {
        return names.stream().map(labels::path).filter(n -> n.isTextual() && !n.asText().isBlank()).map(JsonNode::asText)
                .findFirst();
    }

    /** Loki's timestamps: unix epoch nanoseconds as a decimal string. */
    private static Instant nanos(JsonNode value) {
        if (!value.isTextual() || !value.asText().matches("[0-9]{1,19}")) {
            return null;
        }
        long ns = Long.parseLong(value.asText());
        return Instant.ofEpochSecond(ns / 1_000_000_000L, ns % 1_000_000_000L);
    }
}
