package dev.pitwall.acceptance.campaign;

import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.report.DocumentWriter;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * Campaigns over HTTP: {@code GET /api/acceptance/campaigns} lists them (JSON, newest first),
 * {@code GET /api/acceptance/campaigns/{id}} answers one's status with every finding, and
 * {@code GET /api/acceptance/campaigns/{id}/report} its report as an HTML page with charts.
 */
public final class CampaignService implements HttpService {

    public static final String PATH = "/api/acceptance/campaigns";
    private static final int LISTED = 50;

    private final CampaignStore store;

    public CampaignService(CampaignStore store) {
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .get("/{id}", this::status)
                .get("/{id}/report", this::report);
    }

    private void list(ServerRequest req, ServerResponse res) throws IOException {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().writeValueAsBytes(CampaignStatus.Summary.recent(store, LISTED)));
    }

    private void status(ServerRequest req, ServerResponse res) throws IOException {
        Optional<CampaignStatus> status = find(req, res);
        if (status.isPresent()) {
            res.header(HeaderValues.CONTENT_TYPE_JSON);
            res.send(Json.mapper().writeValueAsBytes(status.get()));
        }
    }

    private void report(ServerRequest req, ServerResponse res) {
        Optional<CampaignStatus> status = find(req, res);
        if (status.isPresent()) {
            res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
            res.send(DocumentWriter.html(CampaignReport.document(status.get(), store)));
        }
    }

    /** The campaign the path names, or a 404 already sent. */
    private Optional<CampaignStatus> find(ServerRequest req, ServerResponse res) {
        String raw = req.path().pathParameters().get("id");
        Optional<CampaignStatus> status = raw.matches("\\d{1,18}") && store.find(Long.parseLong(raw)).isPresent()
                ? Optional.of(CampaignStatus.of(store, Long.parseLong(raw))) : Optional.empty();
        if (status.isEmpty()) {
            ApiError.of(Status.NOT_FOUND_404, "no campaign " + raw).send(res);
        }
        return status;
    }
}
