package dev.pitwall.server.http;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.json.Json;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;

/** {@code GET /api/audit?limit=N}: the newest recorded actions, newest first. */
public final class AuditService implements HttpService {

    private static final int MAX_LIMIT = 1000;

    private final AuditLog auditLog;

    public AuditService(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::recent);
    }

    private void recent(ServerRequest request, ServerResponse response) throws IOException {
        String raw = request.query().first("limit").orElse("100");
        int limit;
        try {
            limit = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            ApiError.of(Status.BAD_REQUEST_400, "limit must be a whole number from 1 to " + MAX_LIMIT
                    + ", found \"" + raw + "\"").send(response);
            return;
        }
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(Json.mapper().writeValueAsBytes(auditLog.recent(limit)));
    }
}
