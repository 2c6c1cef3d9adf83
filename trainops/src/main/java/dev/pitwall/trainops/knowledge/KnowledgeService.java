package dev.pitwall.trainops.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.ListLimit;
import dev.pitwall.core.http.RequestBodies;
import dev.pitwall.core.json.Json;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code GET /api/knowledge?q=text&limit=N} searches the knowledge base (best matches with their
 * scores; without {@code q}, every entry); {@code GET /api/knowledge/{id}} shows one entry;
 * {@code POST /api/knowledge} adds one: {@code {"title","symptom","rootCause","fix","references"}}.
 */
public final class KnowledgeService implements HttpService {

    public static final String PATH = "/api/knowledge";

    private final KnowledgeBase knowledge;

    public KnowledgeService(KnowledgeBase knowledge) {
        this.knowledge = knowledge;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::search)
                .get("/{id}", this::one)
                .post("/", this::create);
    }

    private void search(ServerRequest req, ServerResponse res) throws IOException {
        OptionalInt limit = ListLimit.of(req, res);
        if (limit.isEmpty()) {
            return;
        }
        Optional<String> q = req.query().first("q").asOptional();
        Object answer = q.isPresent() ? knowledge.search(q.get(), limit.getAsInt())
                : knowledge.all().stream().limit(limit.getAsInt()).toList();
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().writeValueAsBytes(answer));
    }

    private void one(ServerRequest req, ServerResponse res) throws IOException {
        String raw = req.path().pathParameters().get("id");
        Optional<KnowledgeEntry> entry;
        try {
            entry = knowledge.get(Long.parseLong(raw));
        } catch (NumberFormatException e) {
            entry = Optional.empty();
        }
        if (entry.isEmpty()) {
            ApiError.of(Status.NOT_FOUND_404, "no knowledge entry " + raw).send(res);
            return;
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().writeValueAsBytes(entry.get()));
    }

    private void create(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body;
        try {
            body = Json.mapper().readTree(RequestBodies.bytes(req));
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            ApiError.of(Status.BAD_REQUEST_400, "expected {\"title\", \"symptom\", \"rootCause\", \"fix\", \"references\"}")
                    .send(res);
            return;
        }
        KnowledgeEntry entry;
        try {
            List<String> references = body.has("references") ? Json.mapper().convertValue(body.get("references"),
                    Json.mapper().getTypeFactory().constructCollectionType(List.class, String.class)) : List.of();
            entry = knowledge.create(text(body, "title"), text(body, "symptom"), text(body, "rootCause"), text(body, "fix"),
                    references, "operator");
        } catch (IllegalArgumentException e) {
            ApiError.of(Status.BAD_REQUEST_400, e.getMessage()).send(res);
            return;
        }
        res.status(Status.CREATED_201);
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().writeValueAsBytes(entry));
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).isTextual() ? node.path(field).asText() : null;
    }
}
