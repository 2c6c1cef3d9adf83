package dev.pitwall.gateway.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.RequestBodies;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.auth.AdminAuthorization;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The admin API for prompts, behind the admin key: {@code GET /admin/api/prompts} lists them;
 * {@code POST /{name}/versions} creates the next version; {@code GET /{name}/versions} and
 * {@code /{name}/versions/{n}} read them; {@code PUT /{name}/labels/{label}} with
 * {@code {"version":N,"reason":"…"}} moves a label; {@code GET /{name}/labels} and
 * {@code /{name}/history} show where labels point and how they moved; {@code PUT} and
 * {@code GET /{name}/rollout} set and read the split; {@code GET /files} lists the prompt
 * folder's files, applied or refused with why. Every change is audited.
 */
public final class PromptsService implements HttpService {

    public static final String PATH = "/admin/api/prompts";

    private final PromptRegistry registry;
    private final AdminAuthorization authorize;
    private final Supplier<List<PromptFolder.Source>> files;

    /** @param files the prompt folder's files as last read (none without a folder) */
    public PromptsService(PromptRegistry registry, AdminAuthorization authorize,
                          Supplier<List<PromptFolder.Source>> files) {
        this.registry = registry;
        this.authorize = authorize;
        this.files = files;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", authorize, this::list)
                .get("/files", authorize, this::files)
                .post("/{name}/versions", authorize, this::createVersion)
                .get("/{name}/versions", authorize, this::versions)
                .get("/{name}/versions/{version}", authorize, this::version)
                .get("/{name}/labels", authorize, this::labels)
                .put("/{name}/labels/{label}", authorize, this::moveLabel)
                .get("/{name}/history", authorize, this::history)
                .get("/{name}/rollout", authorize, this::rollout)
                .put("/{name}/rollout", authorize, this::setRollout);
    }

    private void list(ServerRequest req, ServerResponse res) {
        ArrayNode out = Json.mapper().createArrayNode();
        registry.latest().forEach((name, latest) -> {
            ObjectNode prompt = out.addObject().put("name", name).put("latest", latest);
            ObjectNode labels = prompt.putObject("labels");
            registry.labels(name).forEach(labels::put);
            registry.rollout(name).ifPresent(r -> prompt.set("rollout", r.toJson()));
        });
        send(res, out);
    }

    private void files(ServerRequest req, ServerResponse res) {
        ArrayNode out = Json.mapper().createArrayNode();
        for (PromptFolder.Source f : files.get()) {
            out.add(f.toJson());
        }
        send(res, out);
    }

    private void createVersion(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Optional<ObjectNode> body = body(req, res, "send the version as {\"messages\":[{\"role\":\"system\","
                + "\"content\":\"… {{product}} …\"}],\"variables\":{\"product\":{\"type\":\"string\"}}}");
        if (body.isEmpty()) {
            return;
        }
        try {
            PromptTemplate created = registry.createVersion(name, body.get(), AdminAuthorization.ACTOR);
            res.status(Status.CREATED_201);
            send(res, version(created));
        } catch (PromptProblem e) {
            refuse(res, e);
        }
    }

    private void versions(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        if (!known(name, res)) {
            return;
        }
        ArrayNode out = Json.mapper().createArrayNode();
        registry.versions(name).forEach(t -> out.add(version(t)));
        send(res, out);
    }

    private void version(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        String number = req.path().pathParameters().get("version");
        Optional<PromptTemplate> found = number.matches("\\d{1,9}")
                ? registry.version(name, Integer.parseInt(number)) : Optional.empty();
        if (found.isEmpty()) {
            ApiError.ofParam(Status.NOT_FOUND_404, "prompt " + name + " has no version " + number, "version",
                    "prompt_not_found").send(res);
            return;
        }
        send(res, version(found.get()));
    }

    private void labels(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        if (!known(name, res)) {
            return;
        }
        ObjectNode out = Json.mapper().createObjectNode();
        registry.labels(name).forEach(out::put);
        send(res, out);
    }

    private void moveLabel(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        String label = req.path().pathParameters().get("label");
        if (!known(name, res)) {
            return;
        }
        if (!PromptRegistry.validLabel(label)) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "labels are lower-case letters, digits, '.', '_' and '-'", "label",
                    null).send(res);
            return;
        }
        Optional<ObjectNode> body = body(req, res, "send {\"version\":N,\"reason\":\"why\"}");
        if (body.isEmpty()) {
            return;
        }
        JsonNode version = body.get().path("version");
        if (!version.isIntegralNumber() || version.asInt() < 1) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "version must be a version number of the prompt", "version", null)
                    .send(res);
            return;
        }
        try {
            registry.moveLabel(name, label, version.asInt(), AdminAuthorization.ACTOR,
                    body.get().path("reason").asText("moved through the admin API"));
        } catch (PromptProblem e) {
            refuse(res, e);
            return;
        }
        send(res, Json.mapper().createObjectNode().put("name", name).put("label", label).put("version", version.asInt()));
    }

    private void history(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        if (!known(name, res)) {
            return;
        }
        ArrayNode out = Json.mapper().createArrayNode();
        for (PromptRegistry.LabelMove move : registry.history(name)) {
            out.add(move.toJson());
        }
        send(res, out);
    }

    private void rollout(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        if (!known(name, res)) {
            return;
        }
        Optional<Rollout> rollout = registry.rollout(name);
        if (rollout.isEmpty()) {
            ApiError.ofParam(Status.NOT_FOUND_404, "prompt " + name + " has no rollout: requests that name no label get "
                    + PromptStage.DEFAULT_LABEL, "name", "rollout_not_found").send(res);
            return;
        }
        send(res, rollout.get().toJson());
    }

    private void setRollout(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        if (!known(name, res)) {
            return;
        }
        Optional<ObjectNode> body = body(req, res, "send {\"split\":{\"production\":90,\"canary\":10},\"stickiness\":\"user\"}");
        if (body.isEmpty()) {
            return;
        }
        try {
            Rollout rollout = Rollout.parse(name, body.get());
            registry.setRollout(name, rollout, AdminAuthorization.ACTOR);
            send(res, rollout.toJson());
        } catch (PromptProblem e) {
            refuse(res, e);
        }
    }

    private boolean known(String name, ServerResponse res) {
        if (registry.exists(name)) {
            return true;
        }
        ApiError.ofParam(Status.NOT_FOUND_404, "prompt " + name + " does not exist: POST " + PATH + "/" + name
                + "/versions creates its first version", "name", "prompt_not_found").send(res);
        return false;
    }

    private static Optional<ObjectNode> body(ServerRequest req, ServerResponse res, String expected) {
        Optional<ObjectNode> body = Json.object(RequestBodies.bytes(req));
        if (body.isEmpty()) {
            ApiError.of(Status.BAD_REQUEST_400, "the body is not a JSON object: " + expected).send(res);
        }
        return body;
    }

    private static void refuse(ServerResponse res, PromptProblem e) {
        ApiError.ofParam(Status.BAD_REQUEST_400, e.getMessage(), e.field().isEmpty() ? null : e.field(), null).send(res);
    }

    private static ObjectNode version(PromptTemplate t) {
        ObjectNode out = Json.mapper().createObjectNode().put("name", t.name()).put("version", t.version());
        out.setAll(t.spec());
        return out;
    }

    private static void send(ServerResponse res, JsonNode body) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(body.toString());
    }
}
