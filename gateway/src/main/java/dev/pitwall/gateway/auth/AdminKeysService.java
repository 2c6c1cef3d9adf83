package dev.pitwall.gateway.auth;

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

/**
 * The admin API for tenants' keys, behind its own key ({@code gateway.admin-key}):
 * {@code POST /admin/api/keys {"tenant":"team-a"}} issues a key (shown once),
 * {@code GET /admin/api/keys} lists them, {@code DELETE /admin/api/keys/{id}} revokes one.
 */
public final class AdminKeysService implements HttpService {

    public static final String PATH = "/admin/api/keys";
    private final ApiKeys keys;
    private final AdminAuthorization authorize;

    public AdminKeysService(ApiKeys keys, AdminAuthorization authorize) {
        this.keys = keys;
        this.authorize = authorize;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", authorize, this::create)
                .get("/", authorize, this::list)
                .delete("/{id}", authorize, this::revoke);
    }

    private void create(ServerRequest req, ServerResponse res) {
        String tenant;
        try {
            JsonNode body = Json.mapper().readTree(RequestBodies.bytes(req));
            tenant = body == null ? null : body.path("tenant").asText(null);
        } catch (IOException e) {
            tenant = null;
        }
        if (!ApiKeys.validTenant(tenant)) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "send {\"tenant\":\"name\"}; tenant names are lower-case letters, "
                    + "digits, '.', '_' and '-'", "tenant", null).send(res);
            return;
        }
        IssuedKey issued = keys.create(tenant, AdminAuthorization.ACTOR);
        ObjectNode out = Json.mapper().valueToTree(issued.key());
        out.put("key", issued.secret());
        res.status(Status.CREATED_201);
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(out.toString());
    }

    private void list(ServerRequest req, ServerResponse res) throws IOException {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().writeValueAsBytes(keys.list()));
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        long id;
        try {
            id = Long.parseLong(req.path().pathParameters().get("id"));
        } catch (NumberFormatException e) {
            id = -1;
        }
        if (id < 0 || !keys.revoke(id, AdminAuthorization.ACTOR)) {
            ApiError.of(Status.NOT_FOUND_404, "no active key " + req.path().pathParameters().get("id")).send(res);
            return;
        }
        res.status(Status.NO_CONTENT_204).send();
    }
}
