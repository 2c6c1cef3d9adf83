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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin API for tenants' keys, behind its own key ({@code gateway.admin-key}):
 * {@code POST /admin/api/keys {"tenant":"team-a"}} issues a key (shown once),
 * {@code GET /admin/api/keys} lists them, {@code DELETE /admin/api/keys/{id}} revokes one.
 */
public final class AdminKeysService implements HttpService {

    public static final String PATH = "/admin/api/keys";
    private static final String ACTOR = "admin";

    private final ApiKeys keys;
    private final byte[] adminKey;

    public AdminKeysService(ApiKeys keys, String adminKey) {
        this.keys = keys;
        this.adminKey = adminKey.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::authorize, this::create)
                .get("/", this::authorize, this::list)
                .delete("/{id}", this::authorize, this::revoke);
    }

    private void authorize(ServerRequest req, ServerResponse res) {
        if (adminKey.length == 0) {
            ApiError.of(Status.FORBIDDEN_403, "the admin API is off: set gateway.admin-key "
                    + "(PITWALL_GATEWAY_ADMIN_KEY) to turn it on").send(res);
            return;
        }
        String presented = Bearer.of(req).orElse("");
        // Constant-time comparison: the time taken says nothing about how much of the key matched.
        if (!MessageDigest.isEqual(adminKey, presented.getBytes(StandardCharsets.UTF_8))) {
            ApiError.ofParam(Status.UNAUTHORIZED_401, "the admin API needs its key: Authorization: Bearer <admin key>",
                    null, "invalid_admin_key").send(res);
            return;
        }
        res.next();
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
        IssuedKey issued = keys.create(tenant, ACTOR);
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
        if (id < 0 || !keys.revoke(id, ACTOR)) {
            ApiError.of(Status.NOT_FOUND_404, "no active key " + req.path().pathParameters().get("id")).send(res);
            return;
        }
        res.status(Status.NO_CONTENT_204).send();
    }
}
