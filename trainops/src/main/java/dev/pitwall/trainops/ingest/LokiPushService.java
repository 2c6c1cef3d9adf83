package dev.pitwall.trainops.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.RequestBodies;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Loki's push API, so that log shippers already on the nodes (Promtail, Grafana Alloy, Fluent
 * Bit, Vector) can send to Pitwall: {@code POST /loki/api/v1/push} with Promtail's and Alloy's
 * default, snappy-compressed protobuf ({@code Content-Type: application/x-protobuf}), or JSON
 * {@code {"streams":[{"stream":{"host":"gpu-a01","job":"kernel"},"values":[["<unix ns>","<line>"]]}]}},
 * optionally gzip-encoded (Content-Encoding: gzip). The node comes from the stream's {@code node},
 * {@code host}, {@code hostname}, {@code nodename} or {@code instance} label; the source from
 * {@code source}, {@code job} or {@code filename}; the training job from {@code training_job}. An
 * entry that cannot be read is refused with where it is and why, the rest kept. Answers 204 as
 * Loki does when all was kept, else 200 with the refusals.
 */
public final class LokiPushService implements HttpService {

    public static final String PATH = "/loki/api/v1";
    private static final List<String> NODE_LABELS = List.of("node", "host", "hostname", "nodename", "instance");
    private static final List<String> SOURCE_LABELS = List.of("source", "job", "filename");
    /** Loki's "job" label names the shipper's scrape job; the training job comes under its own label. */
    private static final List<String> JOB_LABELS = List.of("training_job");
    private static final String NO_NODE = "no node label: give the stream one of " + String.join(", ", NODE_LABELS);

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
        List<IngestService.Line> lines = new ArrayList<>();
        List<IngestService.Rejection> rejections = new ArrayList<>();
        if (type.contains("protobuf")) {
            List<LokiProtobuf.Stream> streams;
            byte[] body = RequestBodies.bytes(req);
            if (body.length == 0) {
                ApiError.of(Status.BAD_REQUEST_400, "empty body: send a snappy-compressed Loki PushRequest").send(res);
                return;
            }
            try {
                streams = LokiProtobuf.read(body);
            } catch (IOException e) {
                ApiError.of(Status.BAD_REQUEST_400, "the body is not a snappy-compressed Loki PushRequest: it is cut short, "
                        + "or compressed or encoded otherwise").send(res);
                return;
            }
            for (int s = 0; s < streams.size(); s++) {
                LokiProtobuf.Stream stream = streams.get(s);
                List<IngestService.Line> entries = new ArrayList<>();
                for (int v = 0; v < stream.entries().size(); v++) {
                    LokiProtobuf.Entry entry = stream.entries().get(v);
                    entries.add(new IngestService.Line("streams[" + s + "].entries[" + v + "]", null, null, null, entry.at(),
                            entry.line()));
                }
                addStream(s, stream.labels(), entries, lines, rejections);
            }
        } else {
            JsonNode body;
            // A gzip-encoded body arrives decoded: the web server's gzip content encoding handles it.
            try (InputStream in = req.content().inputStream()) {
                body = Json.mapper().readTree(in);
            } catch (JsonProcessingException e) {
                ApiError.of(Status.BAD_REQUEST_400, "the body is not JSON (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")").send(res);
                return;
            } catch (IOException e) {
                // Read through the gzip decoder: a body that ends inside its compressed stream.
                ApiError.of(Status.BAD_REQUEST_400, "the body ends before its gzip stream does: it is cut short or corrupt")
                        .send(res);
                return;
            }
            if (body == null || !body.path("streams").isArray()) {
                ApiError.ofParam(Status.BAD_REQUEST_400, "expected {\"streams\": [{\"stream\": {labels}, \"values\": "
                        + "[[\"<unix ns>\", \"<line>\"]]}]}", "streams", null).send(res);
                return;
            }
            for (int s = 0; s < body.get("streams").size(); s++) {
                JsonNode stream = body.get("streams").get(s);
                JsonNode values = stream.path("values");
                if (!values.isArray()) {
                    rejections.add(new IngestService.Rejection("streams[" + s + "]",
                            "values is missing: [[\"<unix ns>\", \"<line>\"], ...]"));
                    continue;
                }
                List<IngestService.Line> entries = new ArrayList<>();
                for (int v = 0; v < values.size(); v++) {
                    JsonNode value = values.get(v);
                    String where = "streams[" + s + "].values[" + v + "]";
                    Instant at = value.isArray() && value.size() >= 2 ? nanos(value.get(0)) : null;
                    if (at == null || !value.get(1).isTextual()) {
                        rejections.add(new IngestService.Rejection(where, "expected [\"<unix epoch nanoseconds>\", \"<line>\"]"));
                        continue;
                    }
                    entries.add(new IngestService.Line(where, null, null, null, at, value.get(1).asText()));
                }
                addStream(s, labels(stream.path("stream")), entries, lines, rejections);
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

    /** A stream's entries, stamped with the node, source and job its labels give; refused whole when it names no node. */
    private static void addStream(int index, Map<String, String> labels, List<IngestService.Line> entries,
                                  List<IngestService.Line> lines, List<IngestService.Rejection> rejections) {
        Optional<String> node = label(labels, NODE_LABELS);
        if (node.isEmpty()) {
            rejections.add(new IngestService.Rejection("streams[" + index + "]", NO_NODE));
            return;
        }
        Optional<String> problem = NodeNames.problem(node.get());
        if (problem.isPresent()) {
            rejections.add(new IngestService.Rejection("streams[" + index + "]", problem.get()));
            return;
        }
        String source = label(labels, SOURCE_LABELS).orElse("loki");
        String job = label(labels, JOB_LABELS).orElse(null);
        for (IngestService.Line e : entries) {
            lines.add(new IngestService.Line(e.where(), node.get(), source, job, e.occurredAt(), e.text()));
        }
    }

    private static Map<String, String> labels(JsonNode stream) {
        Map<String, String> out = new LinkedHashMap<>();
        stream.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }

    private static Optional<String> label(Map<String, String> labels, List<String> names) {
        return names.stream().map(labels::get).filter(v -> v != null && !v.isBlank()).findFirst();
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
