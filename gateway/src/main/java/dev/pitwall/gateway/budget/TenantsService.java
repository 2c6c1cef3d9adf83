package dev.pitwall.gateway.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.config.ConfigProblem;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.RequestBodies;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.admission.Priority;
import dev.pitwall.gateway.auth.AdminAuthorization;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The admin API for tenants' budgets, behind the admin key:
 * {@code POST /admin/api/tenants {"name":"team-a","rpm":600,"tpm":100000,"max_streams":20,"priority":"high"}}
 * sets a new one, {@code GET} lists them (with where each was set), {@code GET}, {@code PUT} and
 * {@code DELETE /admin/api/tenants/{name}} read, replace and remove one. Budgets set here override
 * {@code gateway.tenants} of the config; every change is audited.
 */
public final class TenantsService implements HttpService {

    public static final String PATH = "/admin/api/tenants";
    private static final Set<String> FIELDS = Set.of("name", "rpm", "tpm", "max_streams", "priority");

    private final TenantBudgets budgets;
    private final AdminAuthorization authorize;

    public TenantsService(TenantBudgets budgets, AdminAuthorization authorize) {
        this.budgets = budgets;
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
        Optional<TenantBudget> budget = parse(req, res, null);
        if (budget.isEmpty()) {
            return;
        }
        if (budgets.find(budget.get().name()).filter(e -> e.source() == TenantBudgets.Source.API).isPresent()) {
            ApiError.ofParam(Status.CONFLICT_409, "tenant " + budget.get().name() + " has a budget already: PUT "
                    + PATH + "/" + budget.get().name() + " replaces it", "name", "tenant_exists").send(res);
            return;
        }
        budgets.put(budget.get(), AdminAuthorization.ACTOR);
        res.status(Status.CREATED_201);
        send(res, entry(new TenantBudgets.Entry(budget.get(), TenantBudgets.Source.API)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        ArrayNode out = Json.mapper().createArrayNode();
        budgets.list().forEach(e -> out.add(entry(e)));
        send(res, out);
    }

    private void read(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Optional<TenantBudgets.Entry> found = budgets.find(name);
        if (found.isEmpty()) {
            notFound(name, res);
            return;
        }
        send(res, entry(found.get()));
    }

    private void replace(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Optional<TenantBudget> budget = parse(req, res, name);
        if (budget.isEmpty()) {
            return;
        }
        if (budgets.put(budget.get(), AdminAuthorization.ACTOR)) {
            res.status(Status.CREATED_201);
        }
        send(res, entry(new TenantBudgets.Entry(budget.get(), TenantBudgets.Source.API)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        if (budgets.delete(name, AdminAuthorization.ACTOR)) {
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        if (budgets.find(name).isPresent()) {
            ApiError.ofParam(Status.CONFLICT_409, "tenant " + name + "'s budget is set in the config (gateway.tenants); "
                    + "change it there, or PUT one here to override it", "name", "set_in_config").send(res);
            return;
        }
        notFound(name, res);
    }

    /** The budget in the request's body, or empty once a 400 has been sent. */
    private static Optional<TenantBudget> parse(ServerRequest req, ServerResponse res, String pathName) {
        ObjectNode body = Json.object(RequestBodies.bytes(req)).orElse(null);
        if (body == null) {
            return refuse(res, "send a JSON object such as {\"name\":\"team-a\",\"rpm\":600,\"tpm\":100000,"
                    + "\"max_streams\":20,\"priority\":\"high\"}", null);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = body.properties().iterator(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (!FIELDS.contains(field)) {
                return refuse(res, "unknown field \"" + field + "\": a budget has name, rpm, tpm, max_streams and priority",
                        field);
            }
        }
        JsonNode nameNode = body.path("name");
        if (!nameNode.isMissingNode() && !nameNode.isTextual()) {
            return refuse(res, "name must be a string", "name");
        }
        String name = nameNode.isTextual() ? nameNode.asText() : pathName;
        if (pathName != null && !pathName.equals(name)) {
            return refuse(res, "the body names tenant " + name + " but the path names " + pathName, "name");
        }
        if (name == null) {
            return refuse(res, "name is missing: the tenant the budget is for", "name");
        }
        Long rpm = count(body, "rpm");
        Long tpm = count(body, "tpm");
        Long streams = count(body, "max_streams");
        if (rpm != null && rpm < 0 || tpm != null && tpm < 0 || streams != null && streams < 0) {
            String field = rpm != null && rpm < 0 ? "rpm" : tpm != null && tpm < 0 ? "tpm" : "max_streams";
            return refuse(res, field + " must be a whole number of at least 0 (0: no limit)", field);
        }
        Priority priority = null;
        JsonNode p = body.path("priority");
        if (!p.isMissingNode() && !p.isNull()) {
            try {
                priority = Priority.valueOf(p.asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return refuse(res, "priority must be high, normal or low, not " + p, "priority");
            }
            if (!p.isTextual()) {
                return refuse(res, "priority must be high, normal or low, not " + p, "priority");
            }
        }
        try {
            return Optional.of(new TenantBudget(name, rpm, tpm, streams == null ? null : Math.toIntExact(streams),
                    priority));
        } catch (ConfigProblem e) {
            return refuse(res, e.getMessage(), e.key());
        } catch (ArithmeticException e) {
            return refuse(res, "max_streams is too large", "max_streams");
        }
    }

    /** A whole-number field: null when absent, -1 when it is not a whole number (refused as negative). */
    private static Long count(ObjectNode body, String field) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        return node.isIntegralNumber() && node.canConvertToLong() ? node.asLong() : -1L;
    }

    private static <T> Optional<T> refuse(ServerResponse res, String message, String param) {
        ApiError.ofParam(Status.BAD_REQUEST_400, message, param, null).send(res);
        return Optional.empty();
    }

    private static void notFound(String name, ServerResponse res) {
        ApiError.ofParam(Status.NOT_FOUND_404, "tenant " + name + " has no budget: its requests are not limited",
                "name", "tenant_not_found").send(res);
    }

    private static ObjectNode entry(TenantBudgets.Entry e) {
        TenantBudget b = e.budget();
        return Json.mapper().createObjectNode().put("name", b.name()).put("rpm", b.rpm()).put("tpm", b.tpm())
                .put("max_streams", b.maxStreams()).put("priority", b.priority().label())
                .put("source", e.source().label());
    }

    private static void send(ServerResponse res, JsonNode body) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(body.toString());
    }
}
