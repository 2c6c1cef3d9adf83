package dev.pitwall.server.http;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.http.ListLimit;
import dev.pitwall.core.json.Json;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.OptionalInt;

/** {@code GET /api/audit?limit=N}: the newest recorded actions, newest first. */
public final class AuditService implements HttpService {

    private final AuditLog auditLog;

    public AuditService(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::recent);
    }

    private void recent(ServerRequest request, ServerResponse response) throws IOException {
        OptionalInt limit = ListLimit.of(request, response);
        if (limit.isEmpty()) {
            return;
        }
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(Json.mapper().writeValueAsBytes(auditLog.recent(limit.getAsInt())));
    }
}
