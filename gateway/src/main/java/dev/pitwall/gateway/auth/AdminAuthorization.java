package dev.pitwall.gateway.auth;

import dev.pitwall.core.http.ApiError;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The first handler of every admin API route: lets through requests bearing {@code gateway.admin-key}. */
public final class AdminAuthorization implements Handler {

    /** Who the audit log says made an admin API change. */
    public static final String ACTOR = "admin";

    private final byte[] adminKey;

    public AdminAuthorization(String adminKey) {
        this.adminKey = adminKey.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
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
}
