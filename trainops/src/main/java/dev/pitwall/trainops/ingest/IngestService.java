package dev.pitwall.trainops.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.ListLimit;
import dev.pitwall.core.http.RequestBodies;
import dev.pitwall.core.json.Json;
import dev.pitwall.trainops.detect.JobProgress;
import dev.pitwall.trainops.detect.LogMatcher;
import dev.pitwall.trainops.fleet.NodeSightings;
import dev.pitwall.trainops.incident.Incidents;
import dev.pitwall.trainops.signal.Signal;
import dev.pitwall.trainops.signal.SignalStore;
import dev.pitwall.trainops.signal.StoredSignal;
import dev.pitwall.trainops.telemetry.GpuTelemetry;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
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
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Log lines pushed by nodes: {@code POST /api/ingest/logs} with one JSON object a line,
 * {@code {"node":"gpu-a01","source":"kernel","time":"2026-11-24T08:00:00.123Z","job":"llama-70b","line":"…"}}
 * ({@code time} optional: when the line was written on the node, RFC 3339 or epoch milliseconds;
 * {@code job} optional: the training job, which keeps concurrent jobs' failures apart). Every line runs through the detection
 * matcher; the signals are stored and correlated into incidents. A malformed line is rejected
 * with its number and the reason, counted, and the rest of the batch kept.
 * {@code GET /api/ingest/signals?limit=N} lists the newest signals. {@code POST /api/ingest/metrics?node=N}
 * takes a node's dcgm-exporter exposition, as its agent pushes it; {@code POST /api/ingest/inventory?node=N}
 * its {@code nvidia-smi -q -x} output, listed at {@code GET /api/ingest/inventory}.
 */
public final class IngestService implements HttpService {

    public static final String PATH = "/api/ingest";

    private final LogMatcher matcher;
    private final JobProgress progress;
    private final Bursts bursts;
    private final GpuTelemetry telemetry;
    private final NodeInventory inventory;
    private final NodeSightings sightings;
    private final Clock clock;
    private final SignalStore store;
    private final Incidents incidents;
    private final Counter accepted;
    private final Counter rejected;
    private final Counter signals;

    public IngestService(LogMatcher matcher, JobProgress progress, SignalStore store, Incidents incidents,
                         GpuTelemetry telemetry, NodeInventory inventory, NodeSightings sightings, MeterRegistry registry,
                         Clock clock) {
        this.progress = progress;
        this.bursts = new Bursts(matcher.catalog().rules(), store);
        this.sightings = sightings;
        this.matcher = matcher;
        this.inventory = inventory;
        this.telemetry = telemetry;
        this.clock = clock;
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
                .post("/metrics", this::metrics)
                .post("/inventory", this::inventory)
                .get("/inventory", this::listInventory)
                .get("/signals", this::recent);
    }

    /** What a sender's line became: a line to detect, or a rejection. */
    private sealed interface Pushed permits Line, Rejection {
    }

    /** A line as a sender gave it; {@code where} names it in a rejection ("3", "streams[0].values[2]"). */
    public record Line(String where, String node, String source, String job, Instant occurredAt, String text)
            implements Pushed {
    }

    /** Why a line was refused. */
    public record Rejection(String where, String reason) implements Pushed {
    }

    /** Detects, stores and correlates the lines; counts them with the rejections the sender's format already made. */
    public ObjectNode accept(List<Line> lines, List<Rejection> rejections) {
        List<StoredSignal> found = new ArrayList<>();
        Map<String, NodeSightings.Span> seen = new HashMap<>();
        // Each node's source read as one log, in the batch's order, so that multi-line driver messages join.
        Map<String, LogMatcher.Stream> streams = new HashMap<>();
        Map<String, Long> lineNumbers = new HashMap<>();
        List<JobProgress.Line> steps = new ArrayList<>(lines.size());
        Instant now = clock.instant();
        for (Line line : lines) {
            Instant at = line.occurredAt() != null ? line.occurredAt() : now;
            seen.merge(line.node(), new NodeSightings.Span(at, at), (a, b) -> a.widen(b.first()));
            steps.add(new JobProgress.Line(line.node(), line.source(), line.text(), at));
        }
        // Every line also feeds its job's progress (spikes, drops, stalls); the catalog's signal comes first.
        Map<Integer, Signal> fromProgress = progress.observe(steps);
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            String stream = line.node() + "\u0000" + line.source();
            Optional<Signal> signal = matcher.match(line.text(), lineNumbers.merge(stream, 1L, Long::sum),
                    streams.computeIfAbsent(stream, s -> new LogMatcher.Stream()));
            int index = i;
            signal.or(() -> Optional.ofNullable(fromProgress.get(index)))
                    .ifPresent(s -> found.add(StoredSignal.of(line.node(), line.source(), line.occurredAt(), s).ofJob(line.job())));
        }
        sightings.saw(seen);
        Bursts.Folded folded = bursts.fold(found, clock.instant());
        List<StoredSignal> correlated = new ArrayList<>(store.saveAll(folded.toStore()));
        correlated.addAll(folded.escalated());
        incidents.correlate(correlated);
        accepted.increment(lines.size());
        rejected.increment(rejections.size());
        signals.increment(folded.toStore().size());
        ObjectNode answer = Json.mapper().createObjectNode();
        answer.put("accepted", lines.size());
        answer.put("signals", folded.toStore().size());
        ArrayNode refused = answer.putArray("rejected");
        for (Rejection r : rejections) {
            ObjectNode entry = refused.addObject();
            if (r.where().chars().allMatch(Character::isDigit)) {
                entry.put("line", Integer.parseInt(r.where()));
            } else {
                entry.put("entry", r.where());
            }
            entry.put("reason", r.reason());
        }
        return answer;
    }

    private void logs(ServerRequest req, ServerResponse res) throws IOException {
        List<Line> lines = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        // A batch names few nodes, each on many lines: each name is judged once.
        Map<String, Optional<String>> nodeProblems = new HashMap<>();
        int number = 0;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(req.content().inputStream(), StandardCharsets.UTF_8))) {
            for (String raw = reader.readLine(); raw != null; raw = reader.readLine()) {
                number++;
                if (raw.isBlank()) {
                    continue;
                }
                switch (pushed(String.valueOf(number), raw, nodeProblems)) {
                    case Line line -> lines.add(line);
                    case Rejection rejection -> rejections.add(rejection);
                }
            }
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(accept(lines, rejections).toString());
    }

    /**
     * One pushed JSON line, read field by field with the streaming parser (a tree per line cost
     * more than detecting it). Fields it does not know are skipped whole, nested ones included;
     * anything after the object is refused, as two objects run together lose one.
     */
    private static Pushed pushed(String where, String raw, Map<String, Optional<String>> nodeProblems) {
        String node = null;
        String source = "log";
        String job = null;
        String text = null;
        Instant occurred = null;
        boolean timeReadable = true;
        try (JsonParser parser = Json.mapper().createParser(raw)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new Rejection(where, "not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                boolean scalar = value.isScalarValue() && value != JsonToken.VALUE_NULL;
                switch (field) {
                    case "node" -> node = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "source" -> source = scalar ? parser.getText() : "log";
                    case "job" -> job = value == JsonToken.VALUE_STRING && !parser.getText().isBlank() ? parser.getText() : null;
                    case "line" -> text = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "time" -> {
                        occurred = value == JsonToken.VALUE_NULL ? null : time(parser, value);
                        timeReadable = value == JsonToken.VALUE_NULL || occurred != null;
                    }
                    default -> {
                    }
                }
                parser.skipChildren();
            }
            if (parser.nextToken() != null) {
                return new Rejection(where, "not JSON: more follows the object on its line");
            }
        } catch (IOException e) {
            return new Rejection(where, "not JSON");
        }
        Optional<String> nodeProblem = node == null ? NodeNames.problem(null) : nodeProblems.computeIfAbsent(node, NodeNames::problem);
        if (nodeProblem.isPresent()) {
            return new Rejection(where, nodeProblem.get());
        }
        if (text == null) {
            return new Rejection(where, "line is missing: the log line itself");
        }
        if (!timeReadable) {
            return new Rejection(where, "time is neither RFC 3339 text (2026-11-24T08:00:00Z) nor epoch milliseconds");
        }
        return new Line(where, node, source, job, occurred, text);
    }

    /** RFC 3339 text or epoch milliseconds at the parser's value; null when it is neither. */
    private static Instant time(JsonParser parser, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return Instant.ofEpochMilli(parser.getLongValue());
        }
        try {
            return value == JsonToken.VALUE_STRING ? OffsetDateTime.parse(parser.getText()).toInstant() : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A node's dcgm-exporter exposition, pushed by its agent: {@code POST /api/ingest/metrics?node=gpu-a01}. */
    private void metrics(ServerRequest req, ServerResponse res) {
        Optional<String> node = nodeOf(req, res, "metrics");
        if (node.isEmpty()) {
            return;
        }
        sightings.saw(node.get(), clock.instant());
        List<StoredSignal> found = telemetry.accept(RequestBodies.text(req), node.get());
        acceptSignals(found);
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send("{\"signals\":" + found.size() + "}");
    }

    /** A node's {@code nvidia-smi -q -x} output, pushed by its agent: {@code POST /api/ingest/inventory?node=gpu-a01}. */
    private void inventory(ServerRequest req, ServerResponse res) throws IOException {
        Optional<String> node = nodeOf(req, res, "inventory");
        if (node.isEmpty()) {
            return;
        }
        NodeInventory.Node recorded;
        try {
            recorded = inventory.record(node.get(), RequestBodies.text(req));
            sightings.saw(node.get(), clock.instant());
        } catch (IllegalArgumentException e) {
            ApiError.of(Status.BAD_REQUEST_400, "not nvidia-smi -q -x output: " + e.getMessage()).send(res);
            return;
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().writeValueAsBytes(recorded));
    }

    private void listInventory(ServerRequest req, ServerResponse res) throws IOException {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().writeValueAsBytes(inventory.all()));
    }

    /** The {@code ?node=} a push names; empty, with the client answered 400, when it names none or not a host name. */
    private static Optional<String> nodeOf(ServerRequest req, ServerResponse res, String what) {
        Optional<String> node = req.query().first("node").asOptional().filter(n -> !n.isBlank());
        if (node.isEmpty()) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "say which node the " + what + " come from: ?node=NAME", "node", null)
                    .send(res);
            return Optional.empty();
        }
        Optional<String> problem = NodeNames.problem(node.get());
        if (problem.isPresent()) {
            ApiError.ofParam(Status.BAD_REQUEST_400, problem.get(), "node", null).send(res);
            return Optional.empty();
        }
        return node;
    }

    /** Raises a signal for each job whose steps stopped coming; run every few seconds. */
    public void checkStalledJobs() {
        acceptSignals(progress.stalled(clock.instant()).stream()
                .map(f -> StoredSignal.of(f.node(), f.source(), null, f.signal())).toList());
    }

    /** Signals found elsewhere than in log lines (GPU metrics, progress checks): stored, counted, correlated. */
    public void acceptSignals(List<StoredSignal> found) {
        signals.increment(found.size());
        incidents.correlate(store.saveAll(found));
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
