package dev.pitwall.trainops.drill;

import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.RequestBodies;
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
import java.util.List;
import java.util.Optional;

/**
 * Fault drills' results over HTTP: {@code POST /api/drills} keeps one (the JSON {@code pitwall drill
 * run} prints; a result whose verdict its own times contradict is refused), {@code GET /api/drills}
 * lists them newest first, {@code GET /api/drills/{id}} answers one, {@code GET /api/drills/{id}/report}
 * its report as an HTML page.
 */
public final class DrillService implements HttpService {

    public static final String PATH = "/api/drills";
    private static final int LISTED = 100;

    private final DrillStore store;

    public DrillService(DrillStore store) {
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .post("/", this::save)
                .get("/{id}", this::one)
                .get("/{id}/report", this::report);
    }

    private void list(ServerRequest req, ServerResponse res) throws IOException {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().writeValueAsBytes(store.recent(LISTED)));
    }

    private void save(ServerRequest req, ServerResponse res) throws IOException {
        DrillResult result;
        try {
            result = Json.mapper().readValue(RequestBodies.bytes(req), DrillResult.class);
        } catch (IOException e) {
            ApiError.of(Status.BAD_REQUEST_400, "the body must be a drill's result as JSON (what pitwall drill run "
                    + "--format json prints)").send(res);
            return;
        }
        List<String> problems = result == null ? List.of("the body is empty") : result.problems();
        if (!problems.isEmpty()) {
            ApiError.of(Status.BAD_REQUEST_400, String.join("; ", problems)).send(res);
            return;
        }
        long id = store.save(result);
        res.status(Status.CREATED_201);
        res.header(HeaderNames.LOCATION, PATH + "/" + id);
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(Json.mapper().writeValueAsBytes(store.find(id).orElseThrow()));
    }

    private void one(ServerRequest req, ServerResponse res) throws IOException {
        Optional<DrillStore.Stored> drill = find(req, res);
        if (drill.isPresent()) {
            res.header(HeaderValues.CONTENT_TYPE_JSON);
            res.send(Json.mapper().writeValueAsBytes(drill.get()));
        }
    }

    private void report(ServerRequest req, ServerResponse res) {
        Optional<DrillStore.Stored> drill = find(req, res);
        if (drill.isPresent()) {
            res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
            res.send(DocumentWriter.html(DrillReport.document(drill.get().result())));
        }
    }

    /** The drill the path names, or a 404 already sent. */
    private Optional<DrillStore.Stored> find(ServerRequest req, ServerResponse res) {
        String raw = req.path().pathParameters().get("id");
        Optional<DrillStore.Stored> drill = raw.matches("\\d{1,18}") ? store.find(Long.parseLong(raw)) : Optional.empty();
        if (drill.isEmpty()) {
            ApiError.of(Status.NOT_FOUND_404, "no drill " + raw).send(res);
        }
        return drill;
    }
}
