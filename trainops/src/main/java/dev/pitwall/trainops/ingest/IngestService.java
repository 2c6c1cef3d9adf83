package dev.pitwall.trainops.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ListLimit;
import dev.pitwall.core.json.Json;
import dev.pitwall.trainops.detect.LogMatcher;
import dev.pitwall.trainops.incident.Incidents;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Log lines pushed by nodes: {@code POST /api/ingest/logs} with one JSON object a line,
 * {@code {"node":"gpu-a01","source":"kernel","time":"2026-11-24T08:00:00.123Z","line":"…"}} ({@code time}
 * optional: when the line was written on the node, RFC 3339 or epoch milliseconds). Every line runs through the detection
 * matcher; the signals are stored and correlated into incidents. A malformed line is rejected
 * with its number and the reason, counted, and the rest of the batch kept.
 * {@code GET /api/ingest/signals?limit=N} lists the newest signals.
 */
public final class IngestService implements HttpService {

    public static final String PATH = "/api/ingest";

    private final LogMatcher matcher;
    private final SignalStore store;
    private final Incidents incidents;
    private final Counter accepted;
    private final Counter rejected;
    private final Counter signals;

    public IngestService(LogMatcher matcher, SignalStore store, Incidents incidents, MeterRegistry registry) {
        this.matcher = matcher;
        this.store = store;
        this.incidents = incidents;
        this.accepted = lines(registry, "accepted");
        this.rejected = lines(registry, "rejected");
        this.signals = Counter.builder("pitwall.ingest.signals").description("Signals detected in ingested lines")
                .register(registry);
    }

    private static Counter lines(MeterRegistry registry, String outcome) {
        return Counter.builder("pitwall.ingest.lines").description("Log lines received, by outcome")
                .tag("outcome", outcome).register(registry);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/logs", this::logs)
                .get("/signals", this::recent);
    }

    private void logs(ServerRequest req, ServerResponse res) throws IOException {
        List<StoredSignal> found = new ArrayList<>();
        ObjectNode answer = Json.mapper().createObjectNode();
        ArrayNode rejections = Json.mapper().createArrayNode();
        int ok = 0;
        int number = 0;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(req.content().inputStream(), StandardCharsets.UTF_8))) {
            for (String raw = reader.readLine(); raw != null; raw = reader.readLine()) {
                number++;
                if (raw.isBlank()) {
                    continue;
                }
                String why = null;
                JsonNode entry = null;
                try {
                    entry = Json.mapper().readTree(raw);
                } catch (IOException e) {
                    why = "not JSON";
                }
                if (why == null && (entry == null || !entry.isObject())) {
                    why = "not a JSON object";
                } else if (why == null && (!entry.path("node").isTextual() || entry.path("node").asText().isBlank())) {
                    why = "node is missing: the node the line comes from";
                } else if (why == null && !entry.path("line").isTextual()) {
                    why = "line is missing: the log line itself";
                }
                Instant occurred = null;
                if (why == null && entry.hasNonNull("time")) {
                    occurred = time(entry.get("time"));
                    if (occurred == null) {
                        why = "time is neither RFC 3339 text (2026-11-24T08:00:00Z) nor epoch milliseconds";
                    }
                }
                if (why != null) {
                    rejections.addObject().put("line", number).put("reason", why);
                    continue;
                }
                ok++;
                String node = entry.path("node").asText();
                String source = entry.path("source").asText("log");
                Instant at = occurred;
                matcher.match(entry.path("line").asText(), number)
                        .ifPresent(s -> found.add(StoredSignal.of(node, source, at, s)));
            }
        }
        incidents.correlate(store.saveAll(found));
        accepted.increment(ok);
        rejected.increment(rejections.size());
        signals.increment(found.size());
        answer.put("accepted", ok);
        answer.put("signals", found.size());
        answer.set("rejected", rejections);
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(answer.toString());
    }

    /** RFC 3339 text or epoch milliseconds; null when it is neither. */
    static Instant time(JsonNode value) {
        if (value.isIntegralNumber()) {
            return Instant.ofEpochMilli(value.asLong());
        }
        try {
            return value.isTextual() ? OffsetDateTime.parse(value.asText()).toInstant() : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private void recent(ServerRequest req, ServerResponse res) throws IOException {
        OptionalInt limit = ListLimit.of(req, res);
        if (limit.isEmpty()) {
            return;
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().writeValueAsBytes(store.recent(limit.getAsInt())));
    }
}
