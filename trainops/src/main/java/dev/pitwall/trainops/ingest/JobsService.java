package dev.pitwall.trainops.ingest;

import dev.pitwall.core.json.Json;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /api/jobs}: where each training job log stands, its last step and when it came, as
 * the log shippers' lines told it. A fault drill reads it to see progress stop and resume.
 */
public final class JobsService implements HttpService {

    public static final String PATH = "/api/jobs";

    private final JobHistories histories;

    public JobsService(JobHistories histories) {
        this.histories = histories;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().valueToTree(histories.progress()).toString());
    }
}
