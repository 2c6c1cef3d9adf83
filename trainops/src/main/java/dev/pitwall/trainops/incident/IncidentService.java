package dev.pitwall.trainops.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.ListLimit;
import dev.pitwall.core.http.RequestBodies;
import dev.pitwall.core.json.Json;
import dev.pitwall.trainops.action.NodeCordon;
import dev.pitwall.trainops.knowledge.KnowledgeBase;
import dev.pitwall.trainops.knowledge.KnowledgeEntry;
import dev.pitwall.trainops.signal.SignalStore;
import dev.pitwall.trainops.signal.StoredSignal;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code GET /api/incidents?limit=N} lists the newest incidents with their time to detect and to recover;
 * {@code GET /api/incidents/{id}?offset=0&limit=100} shows one with a page of its timeline (repeats grouped)
 * and the timeline's length;
 * {@code POST /api/incidents/{id}/acknowledge|mitigate|resolve} moves one forward, with an
 * optional body {@code {"by":"alice"}} naming who did it for the audit log; on resolve the body may add
 * {@code "knowledge"} to write what was learnt into the knowledge base (a new entry, or {@code "entry": id}
 * to update one). One incident's answer carries its best knowledge-base matches with their scores.
 */
public final class IncidentService implements HttpService {

    public static final String PATH = "/api/incidents";
    private static final Map<String, Incident.State> ACTIONS = Map.of(
            "acknowledge", Incident.State.ACKNOWLEDGED,
            "mitigate", Incident.State.MITIGATED,
            "resolve", Incident.State.RESOLVED);

    /** Knowledge-base matches shown with an incident. */
    private static final int MATCHES = 3;

    private final Incidents incidents;
    private final SignalStore signals;
    private final KnowledgeBase knowledge;
    private final Optional<NodeCordon> cordon;
    private final AuditLog audit;

    /** @param cordon the Kubernetes action, when Kubernetes actions are enabled */
    public IncidentService(Incidents incidents, SignalStore signals, KnowledgeBase knowledge, Optional<NodeCordon> cordon,
                           AuditLog audit) {
        this.incidents = incidents;
        this.signals = signals;
        this.knowledge = knowledge;
        this.cordon = cordon;
        this.audit = audit;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .get("/{id}", this::one)
                .post("/{id}/cordon", this::cordon)
                .post("/{id}/{action}", this::advance);
    }

    /** One incident with its timeline: each signal as it showed, and each lifecycle step. */
    private void one(ServerRequest req, ServerResponse res) {
        String rawId = req.path().pathParameters().get("id");
        Optional<Incident> incident = incidents.get(rawId);
        if (incident.isEmpty()) {
            ApiError.of(Status.NOT_FOUND_404, "no incident " + rawId).send(res);
            return;
        }
        OptionalInt limit = ListLimit.of(req, res);
        if (limit.isEmpty()) {
            return;
        }
        String rawOffset = req.query().first("offset").orElse("0");
        int offset = rawOffset.matches("\\d{1,9}") ? Integer.parseInt(rawOffset) : -1;
        if (offset < 0) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "offset must be a whole number from 0, found \"" + rawOffset + "\"",
                    "offset", null).send(res);
            return;
        }
        ObjectNode out = json(incident.get());
        List<StoredSignal> own = signals.ofIncident(incident.get().id());
        IncidentTimeline.Page page = IncidentTimeline.page(IncidentTimeline.of(incident.get(), own), offset,
                limit.getAsInt());
        ArrayNode timeline = out.putArray("timeline");
        for (IncidentTimeline.Entry entry : page.entries()) {
            timeline.add(Json.mapper().valueToTree(entry));
        }
        out.put("timelineOffset", page.offset()).put("timelineTotal", page.total());
        // What the matched rules recommend, each once, and the one action Pitwall can take itself.
        ArrayNode recommended = out.putArray("recommendedActions");
        own.stream().map(sig -> sig.signal().action()).filter(a -> !a.isBlank()).distinct()
                .forEach(recommended::add);
        out.putObject("cordon").put("node", incident.get().suspectedNode()).put("available", cordon.isPresent());
        ArrayNode matches = out.putArray("knowledge");
        for (KnowledgeBase.Match match : knowledge.search(Symptoms.of(incident.get(), own), MATCHES)) {
            matches.add(Json.mapper().valueToTree(match));
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
        Body body = body(req);
        if (body == null || body.knowledge() != null && target != Incident.State.RESOLVED) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "the body is optional; when sent it is {\"by\":\"name\"}, and on "
                    + "resolve may add \"knowledge\": {\"entry\": id to update, or \"title\", and \"rootCause\", \"fix\", "
                    + "\"references\"}", "by", null).send(res);
            return;
        }
        String actor = body.actor();
        if (body.knowledge() != null && body.knowledge().hasNonNull("entry")
                && knowledge.get(body.knowledge().get("entry").asLong()).isEmpty()) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "no knowledge entry " + body.knowledge().get("entry").asText()
                    + " to update; leave \"entry\" out to create one", "knowledge.entry", null).send(res);
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
        ObjectNode out = json(moved.get());
        if (body.knowledge() != null) {
            out.set("knowledgeEntry", Json.mapper().valueToTree(learn(moved.get(), body.knowledge())));
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(out.toString());
    }

    /**
     * Cordons the incident's suspected node through the Kubernetes API and records it in the audit
     * log. The body may name another node ({@code {"node":"gpu-a07","by":"alice"}}).
     */
    private void cordon(ServerRequest req, ServerResponse res) {
        String rawId = req.path().pathParameters().get("id");
        Optional<Incident> incident = incidents.get(rawId);
        if (incident.isEmpty()) {
            ApiError.of(Status.NOT_FOUND_404, "no incident " + rawId).send(res);
            return;
        }
        if (cordon.isEmpty()) {
            ApiError.of(Status.SERVICE_UNAVAILABLE_503, "Kubernetes actions are off: set kubernetes.enabled: true in "
                    + "pitwall.yaml (and kubernetes.master-url, or run with a kubeconfig or a service account)").send(res);
            return;
        }
        Body body = body(req);
        if (body == null) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "the body is optional; when sent it is {\"by\":\"name\", \"node\":\"name\"}",
                    "by", null).send(res);
            return;
        }
        String node = body.node() != null ? body.node() : incident.get().suspectedNode();
        NodeCordon.Result result;
        try {
            result = cordon.get().cordon(node, "incident " + incident.get().id() + " (" + incident.get().title() + "), by "
                    + body.actor());
        } catch (IllegalArgumentException e) {
            ApiError.ofParam(Status.NOT_FOUND_404, e.getMessage(), "node", null).send(res);
            return;
        } catch (KubernetesClientException e) {
            ApiError.of(Status.BAD_GATEWAY_502, "the Kubernetes API refused or could not be reached: " + e.getMessage()).send(res);
            return;
        }
        audit.record(body.actor(), "node.cordon", "incident " + incident.get().id(),
                node + (result.alreadyCordoned() ? " (was already cordoned)" : ""));
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("node", result.node());
        out.put("alreadyCordoned", result.alreadyCordoned());
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(out.toString());
    }

    /** Who acted ("operator" when nobody is named), what the resolution taught, and a node to act on, if any. */
    private record Body(String actor, JsonNode knowledge, String node) {
    }

    /** The optional body, or null when it is malformed. */
    private static Body body(ServerRequest req) {
        byte[] raw = RequestBodies.bytes(req);
        if (raw.length == 0) {
            return new Body("operator", null, null);
        }
        try {
            JsonNode body = Json.mapper().readTree(raw);
            if (body == null || !body.isObject()) {
                return null;
            }
            JsonNode by = body.path("by");
            if (!by.isMissingNode() && (!by.isTextual() || by.asText().isBlank())) {
                return null;
            }
            JsonNode knowledge = body.get("knowledge");
            if (knowledge != null && !knowledge.isObject()) {
                return null;
            }
            JsonNode node = body.path("node");
            if (!node.isMissingNode() && (!node.isTextual() || node.asText().isBlank())) {
                return null;
            }
            return new Body(by.isTextual() ? by.asText() : "operator", knowledge, node.isTextual() ? node.asText() : null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes what resolving an incident taught into the knowledge base: a new entry, or an update of one named. */
    private KnowledgeEntry learn(Incident incident, JsonNode k) {
        String symptom = Symptoms.of(incident, signals.ofIncident(incident.id()));
        List<String> references = k.has("references") ? Json.mapper().convertValue(k.get("references"),
                Json.mapper().getTypeFactory().constructCollectionType(List.class, String.class)) : null;
        String origin = "incident " + incident.id();
        if (k.hasNonNull("entry")) {
            return knowledge.update(k.get("entry").asLong(), symptom, text(k, "rootCause"), text(k, "fix"), references, origin)
                    .orElseThrow(); // checked before the incident moved
        }
        return knowledge.create(text(k, "title") != null ? text(k, "title") : incident.title(), symptom, text(k, "rootCause"),
                text(k, "fix"), references, origin);
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).isTextual() ? node.path(field).asText() : null;
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
