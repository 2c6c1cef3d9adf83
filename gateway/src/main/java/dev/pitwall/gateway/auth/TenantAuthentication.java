package dev.pitwall.gateway.auth;

import dev.pitwall.core.http.ApiError;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;

/**
 * The first handler of every {@code /v1} route: finds the tenant of the request's API key and
 * puts it in the request context, or answers 401 in OpenAI's shape. Keys are never logged.
 */
public final class TenantAuthentication implements Handler {

    /** Context key under which the tenant's name is registered; "anonymous" when keys are not required. */
    public static final String TENANT = "pitwall.tenant";

    private final ApiKeys keys;
    private final boolean required;

    public TenantAuthentication(ApiKeys keys, boolean required) {
        this.keys = keys;
        this.required = required;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        Optional<String> presented = Bearer.of(req);
        Optional<String> tenant = presented.flatMap(keys::tenantOf);
        if (tenant.isEmpty() && required) {
            String message = presented.isEmpty()
                    ? "no API key: send Authorization: Bearer <key> (ask your Pitwall admin for one)"
                    : "the API key is not valid, or was revoked";
            ApiError.ofParam(Status.UNAUTHORIZED_401, message, null, "invalid_api_key").send(res);
            return;
        }
        req.context().register(TENANT, tenant.orElse("anonymous"));
        res.next();
    }

    /** The tenant of a request that passed this handler. */
    public static String tenantOf(ServerRequest req) {
        return req.context().get(TENANT, String.class).orElse("anonymous");
    }
}
