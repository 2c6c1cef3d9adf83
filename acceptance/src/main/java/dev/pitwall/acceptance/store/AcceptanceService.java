package dev.pitwall.acceptance.store;

import dev.pitwall.core.http.ApiError;
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
 * Stored acceptance runs over HTTP: {@code GET /api/acceptance/runs} lists them (JSON) and
 * {@code GET /api/acceptance/runs/{id}/report} answers a run's HTML report.
 */
public final class AcceptanceService implements HttpService {

    public static final String PATH = "/api/acceptance/runs";

    private final AcceptanceRuns runs;

    public AcceptanceService(AcceptanceRuns runs) {
        this.runs = runs;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .get("/{id}/report", this::report);
    }

    private void list(ServerRequest req, ServerResponse res) throws IOException {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().writeValueAsBytes(runs.recent(100)));
    }

    private void report(ServerRequest req, ServerResponse res) {
        String raw = req.path().pathParameters().get("id");
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            id = -1;
        }
        var html = id < 0 ? java.util.Optional.<String>empty() : runs.reportHtml(id);
        if (html.isEmpty()) {
            ApiError.of(Status.NOT_FOUND_404, "no acceptance run " + raw).send(res);
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
        res.send(html.get());
    }
}
