package dev.pitwall.trainops.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.ListLimit;
import dev.pitwall.core.json.Json;
import dev.pitwall.trainops.ingest.SignalStore;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code GET /api/incidents?limit=N} lists the newest incidents with their time to detect and to recover;
 * {@code GET /api/incidents/{id}} shows one with its timeline;
 * {@code POST /api/incidents/{id}/acknowledge|mitigate|resolve} moves one forward, with an
 * optional body {@code {"by":"alice"}} naming who did it for the audit log.
 */
public final class IncidentService implements HttpService {

    public static final String PATH = "/api/incidents";
    private static final Map<String, Incident.State> ACTIONS = Map.of(
            "acknowledge", Incident.State.ACKNOWLEDGED,
            "mitigate", Incident.State.MITIGATED,
            "resolve", Incident.State.RESOLVED);

    private final Incidents incidents;
    private final SignalStore signals;

    public IncidentService(Incidents incidents, SignalStore signals) {
        this.incidents = incidents;
        this.signals = signals;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .get("/{id}", this::one)
                .post("/{id}/{action}", this::advance);
    }

    /** One incident with its timeline: each signal as it showed, and each lifecycle step. */
    private void one(ServerRequest req, ServerResponse res) {
        String rawId = req.path().pathParameters().get("id");
        Optional<Incident> incident;
        try {
            incident = incidents.get(Long.parseLong(rawId));
        } catch (NumberFormatException e) {
            incident = Optional.empty();
        }
        if (incident.isEmpty()) {
            ApiError.of(Status.NOT_FOUND_404, "no incident " + rawId).send(res);
            return;
        }
        ObjectNode out = json(incident.get());
        ArrayNode timeline = out.putArray("timeline");
        for (IncidentTimeline.Entry entry : IncidentTimeline.of(incident.get(), signals.ofIncident(incident.get().id()))) {
            timeline.add(Json.mapper().valueToTree(entry));
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(out.toString());
    }

    private void list(ServerRequest req, ServerResponse res) {
        OptionalInt limit = ListLimit.of(req, res);
        if (limit.isEmpty()) {
            return;
        }
        ArrayNode out = Json.mapper().createArrayNode();
        incidents.recent(limit.getAsInt()).forEach(incident -> out.add(json(incident)));
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(out.toString());
    }

    private void advance(ServerRequest req, ServerResponse res) {
        String action = req.path().pathParameters().get("action");
        Incident.State target = ACTIONS.get(action);
        if (target == null) {
            ApiError.ofParam(Status.NOT_FOUND_404, "no action '" + action + "': use acknowledge, mitigate or resolve",
                    "action", null).send(res);
            return;
        }
        String actor = actor(req);
        if (actor == null) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "the body is optional; when sent it is {\"by\":\"name\"}", "by", null)
                    .send(res);
            return;
        }
        String rawId = req.path().pathParameters().get("id");
        Optional<Incident> moved;
        try {
            moved = incidents.advance(Long.parseLong(rawId), target, actor);
        } catch (NumberFormatException e) {
            moved = Optional.empty();
        } catch (IllegalStateException e) {
            ApiError.of(Status.CONFLICT_409, e.getMessage()).send(res);
            return;
        }
        if (moved.isEmpty()) {
            ApiError.of(Status.NOT_FOUND_404, "no incident " + rawId).send(res);
            return;
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(json(moved.get()).toString());
    }

    /** Who acted, from the optional body ("operator" when there is none), or null when the body is malformed. */
    private static String actor(ServerRequest req) {
        byte[] raw = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        if (raw.length == 0) {
            return "operator";
        }
        try {
            JsonNode body = Json.mapper().readTree(raw);
            if (body == null || !body.isObject() || !body.path("by").isTextual() || body.path("by").asText().isBlank()) {
                return null;
            }
            return body.path("by").asText();
        } catch (IOException e) {
            return null;
        }
    }

    private static ObjectNode json(Incident incident) {
        ObjectNode node = Json.mapper().valueToTree(incident);
        incident.timeToDetect().ifPresentOrElse(d -> node.put("timeToDetectSeconds", d.toMillis() / 1000.0),
                () -> node.putNull("timeToDetectSeconds"));
        incident.timeToRecover().ifPresentOrElse(d -> node.put("timeToRecoverSeconds", d.toMillis() / 1000.0),
                () -> node.putNull("timeToRecoverSeconds"));
        return node;
    }
}
