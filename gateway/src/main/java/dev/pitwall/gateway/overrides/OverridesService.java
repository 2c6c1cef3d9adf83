package dev.pitwall.gateway.overrides;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.config.ConfigProblem;
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
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The admin API of one kind of {@link Overrides}, behind the admin key: {@code POST} sets a new
 * one, {@code GET} lists them (with where each was set), {@code GET}, {@code PUT} and
 * {@code DELETE {path}/{name}} read, replace and remove one. A bad body is a 400 naming the field.
 */
public final class OverridesService<T> implements HttpService {

    /** A body that cannot be taken, and the field at fault (null: the body as a whole). */
    public static final class Refused extends Exception {
        private final String param;

        public Refused(String message, String param) {
            super(message);
            this.param = param;
        }
    }

    /** What the API of one kind says and reads. */
    public interface Kind<T> {
        /** How messages call one, such as "objective" or "tenant budget". */
        String noun();

        /** The prefix of its error codes: {@code slo} gives {@code slo_exists} and {@code slo_not_found}. */
        String code();

        /** The config's list of them, such as {@code gateway.slos}. */
        String configKey();

        /** A body that would be taken, for the message that refuses one that is not an object. */
        String example();

        /** The fields a body may have, {@code name} among them. */
        Set<String> fields();

        /** The setting in {@code body}, named {@code name}; its fields are known ones. */
        T read(ObjectNode body, String name) throws Refused;

        /** A setting as the API shows it (without its source, which is added). */
        ObjectNode json(T value);
    }

    private final String path;
    private final Overrides<T> overrides;
    private final Kind<T> kind;
    private final AdminAuthorization authorize;

    public OverridesService(String path, Overrides<T> overrides, Kind<T> kind, AdminAuthorization authorize) {
        this.path = path;
        this.overrides = overrides;
        this.kind = kind;
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
        Optional<T> value = parse(req, res, null);
        if (value.isEmpty()) {
            return;
        }
        String name = overrides.nameOf(value.get());
        if (overrides.find(name).filter(e -> e.source() == Overrides.Source.API).isPresent()) {
            ApiError.ofParam(Status.CONFLICT_409, kind.noun() + " " + name + " is set already: PUT " + path + "/" + name
                    + " replaces it", "name", kind.code() + "_exists").send(res);
            return;
        }
        overrides.put(value.get(), AdminAuthorization.ACTOR);
        res.status(Status.CREATED_201);
        send(res, entry(new Overrides.Entry<>(value.get(), Overrides.Source.API)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        ArrayNode out = Json.mapper().createArrayNode();
        overrides.list().forEach(e -> out.add(entry(e)));
        send(res, out);
    }

    private void read(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Optional<Overrides.Entry<T>> found = overrides.find(name);
        if (found.isEmpty()) {
            notFound(name, res);
            return;
        }
        send(res, entry(found.get()));
    }

    private void replace(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Optional<T> value = parse(req, res, name);
        if (value.isEmpty()) {
            return;
        }
        if (overrides.put(value.get(), AdminAuthorization.ACTOR)) {
            res.status(Status.CREATED_201);
        }
        send(res, entry(new Overrides.Entry<>(value.get(), Overrides.Source.API)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        if (overrides.delete(name, AdminAuthorization.ACTOR)) {
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        if (overrides.find(name).isPresent()) {
            ApiError.ofParam(Status.CONFLICT_409, kind.noun() + " " + name + " is set in the config (" + kind.configKey()
                    + "); change it there, or PUT one here to override it", "name", "set_in_config").send(res);
            return;
        }
        notFound(name, res);
    }

    /** The setting in the request's body, or empty once a 400 has been sent. */
    private Optional<T> parse(ServerRequest req, ServerResponse res, String pathName) {
        ObjectNode body = Json.object(RequestBodies.bytes(req)).orElse(null);
        if (body == null) {
            return refuse(res, "send a JSON object such as " + kind.example(), null);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = body.properties().iterator(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (!kind.fields().contains(field)) {
                return refuse(res, "unknown field \"" + field + "\": a " + kind.noun() + " has "
                        + String.join(", ", kind.fields().stream().sorted().toList()), field);
            }
        }
        JsonNode nameNode = body.path("name");
        if (!nameNode.isMissingNode() && !nameNode.isTextual()) {
            return refuse(res, "name must be a string", "name");
        }
        String name = nameNode.isTextual() ? nameNode.asText() : pathName;
        if (pathName != null && !pathName.equals(name)) {
            return refuse(res, "the body names " + name + " but the path names " + pathName, "name");
        }
        if (name == null) {
            return refuse(res, "name is missing: which " + kind.noun() + " this is", "name");
        }
        try {
            return Optional.of(kind.read(body, name));
        } catch (Refused e) {
            return refuse(res, e.getMessage(), e.param);
        } catch (ConfigProblem e) {
            return refuse(res, e.getMessage(), e.key());
        }
    }

    private static <T> Optional<T> refuse(ServerResponse res, String message, String param) {
        ApiError.ofParam(Status.BAD_REQUEST_400, message, param, null).send(res);
        return Optional.empty();
    }

    private void notFound(String name, ServerResponse res) {
        ApiError.ofParam(Status.NOT_FOUND_404, "no " + kind.noun() + " is named " + name, "name",
                kind.code() + "_not_found").send(res);
    }

    private ObjectNode entry(Overrides.Entry<T> e) {
        return kind.json(e.value()).put("source", e.source().label());
    }

    private static void send(ServerResponse res, JsonNode body) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(body.toString());
    }
}
