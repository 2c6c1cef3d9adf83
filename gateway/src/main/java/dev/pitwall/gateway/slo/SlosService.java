package dev.pitwall.gateway.slo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.config.ConfigProblem;
import dev.pitwall.core.config.DurationText;
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
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The admin API for objectives, behind the admin key:
 * {@code POST /admin/api/slos {"name":"chat-ttft","sli":"ttft","objective":99,"window":"30d","threshold":"2s","model":"llama"}}
 * sets a new one, {@code GET} lists them (with where each was set), {@code GET}, {@code PUT} and
 * {@code DELETE /admin/api/slos/{name}} read, replace and remove one. Objectives set here override
 * {@code gateway.slos} of the config; every change is audited.
 */
public final class SlosService implements HttpService {

    public static final String PATH = "/admin/api/slos";
    private static final Set<String> FIELDS = Set.of("name", "sli", "objective", "window", "threshold", "model",
            "tenant");
    private static final String EXAMPLE = "{\"name\":\"chat-ttft\",\"sli\":\"ttft\",\"objective\":99,"
            + "\"window\":\"30d\",\"threshold\":\"2s\",\"model\":\"llama\"}";

    private final SloDefinitions definitions;
    private final AdminAuthorization authorize;

    public SlosService(SloDefinitions definitions, AdminAuthorization authorize) {
        this.definitions = definitions;
        this.authorize = authorize;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", authorize, this::create)
                .get("/", authorize, this::list)
                .get("/{name}", authorize, this::read)
                .put("/{name}", authorize, this::replace)
                .delete("/{name}", authorize, this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Optional<SloSpec> spec = parse(req, res, null);
        if (spec.isEmpty()) {
            return;
        }
        String name = spec.get().name();
        if (definitions.find(name).filter(e -> e.source() == SloDefinitions.Source.API).isPresent()) {
            ApiError.ofParam(Status.CONFLICT_409, "objective " + name + " exists already: PUT " + PATH + "/" + name
                    + " replaces it", "name", "slo_exists").send(res);
            return;
        }
        definitions.put(spec.get(), AdminAuthorization.ACTOR);
        res.status(Status.CREATED_201);
        send(res, entry(new SloDefinitions.Entry(spec.get(), SloDefinitions.Source.API)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        ArrayNode out = Json.mapper().createArrayNode();
        definitions.list().forEach(e -> out.add(entry(e)));
        send(res, out);
    }

    private void read(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Optional<SloDefinitions.Entry> found = definitions.find(name);
        if (found.isEmpty()) {
            notFound(name, res);
            return;
        }
        send(res, entry(found.get()));
    }

    private void replace(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Optional<SloSpec> spec = parse(req, res, name);
        if (spec.isEmpty()) {
            return;
        }
        if (definitions.put(spec.get(), AdminAuthorization.ACTOR)) {
            res.status(Status.CREATED_201);
        }
        send(res, entry(new SloDefinitions.Entry(spec.get(), SloDefinitions.Source.API)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        if (definitions.delete(name, AdminAuthorization.ACTOR)) {
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        if (definitions.find(name).isPresent()) {
            ApiError.ofParam(Status.CONFLICT_409, "objective " + name + " is set in the config (gateway.slos); "
                    + "change it there, or PUT one here to override it", "name", "set_in_config").send(res);
            return;
        }
        notFound(name, res);
    }

    /** The objective in the request's body, or empty once a 400 has been sent. */
    private static Optional<SloSpec> parse(ServerRequest req, ServerResponse res, String pathName) {
        ObjectNode body = Json.object(RequestBodies.bytes(req)).orElse(null);
        if (body == null) {
            return refuse(res, "send a JSON object such as " + EXAMPLE, null);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = body.properties().iterator(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (!FIELDS.contains(field)) {
                return refuse(res, "unknown field \"" + field + "\": an objective has name, sli, objective, window, "
                        + "threshold, model and tenant", field);
            }
        }
        for (String field : Set.of("name", "sli", "window", "threshold", "model", "tenant")) {
            JsonNode node = body.path(field);
            if (!node.isMissingNode() && !node.isNull() && !node.isTextual()) {
                return refuse(res, field + " must be a string", field);
            }
        }
        String name = body.path("name").isTextual() ? body.path("name").asText() : pathName;
        if (pathName != null && !pathName.equals(name)) {
            return refuse(res, "the body names objective " + name + " but the path names " + pathName, "name");
        }
        JsonNode sliNode = body.path("sli");
        Optional<SliKind> sli = SliKind.parse(sliNode.asText(""));
        if (sli.isEmpty()) {
            return refuse(res, "sli must be availability, ttft or latency, not "
                    + (sliNode.isMissingNode() ? "missing" : sliNode.toString()), "sli");
        }
        JsonNode objective = body.path("objective");
        if (!objective.isMissingNode() && !objective.isNumber()) {
            return refuse(res, "objective must be a number such as 99.9 (a percentage)", "objective");
        }
        try {
            return Optional.of(new SloSpec(name, sli.get(), objective.isNumber() ? objective.asDouble() : null,
                    duration(body, "window"), duration(body, "threshold"), text(body, "model"), text(body, "tenant")));
        } catch (ConfigProblem e) {
            return refuse(res, e.getMessage(), e.key());
        } catch (IllegalArgumentException e) {
            return refuse(res, e.getMessage(), null);
        }
    }

    private static Duration duration(ObjectNode body, String field) {
        String text = text(body, field);
        if (text == null) {
            return null;
        }
        try {
            return DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem(field, "\"" + text + "\"", DurationText.EXPECTED);
        }
    }

    private static String text(ObjectNode body, String field) {
        JsonNode node = body.path(field);
        return node.isTextual() ? node.asText() : null;
    }

    private static <T> Optional<T> refuse(ServerResponse res, String message, String param) {
        ApiError.ofParam(Status.BAD_REQUEST_400, message, param, null).send(res);
        return Optional.empty();
    }

    private static void notFound(String name, ServerResponse res) {
        ApiError.ofParam(Status.NOT_FOUND_404, "no objective is named " + name, "name", "slo_not_found").send(res);
    }

    /** An objective as the API shows it. */
    static ObjectNode entry(SloDefinitions.Entry e) {
        return spec(e.spec()).put("source", e.source().label());
    }

    /** An objective's definition as JSON, in the fields the API reads. */
    public static ObjectNode spec(SloSpec s) {
        ObjectNode out = Json.mapper().createObjectNode().put("name", s.name()).put("sli", s.sli().label())
                .put("objective", s.objective()).put("window", DurationText.format(s.window()));
        if (s.threshold() != null) {
            out.put("threshold", DurationText.format(s.threshold()));
        }
        return out.put("model", s.model()).put("tenant", s.tenant()).put("description", SloDefinitions.describe(s));
    }

    private static void send(ServerResponse res, JsonNode body) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(body.toString());
    }
}
