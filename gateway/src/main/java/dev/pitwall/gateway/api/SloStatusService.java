package dev.pitwall.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.config.DurationText;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.NoCache;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.slo.AlertWindows;
import dev.pitwall.gateway.slo.SloBoard;
import dev.pitwall.gateway.slo.SloStatus;
import dev.pitwall.gateway.slo.SlosApi;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;

/**
 * {@code GET /api/slo}: every objective with its error budget remaining over its period, its
 * burn rate over each alert window, its alert state (ok, ticket, page or no_data) and the
 * conditions that hold; {@code GET /api/slo/{name}} one of them.
 */
public final class SloStatusService implements HttpService {

    public static final String PATH = "/api/slo";

    private final SloBoard board;

    public SloStatusService(SloBoard board) {
        this.board = board;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list).get("/{name}", this::one);
    }

    private void list(ServerRequest req, ServerResponse res) {
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode objectives = out.putArray("objectives");
        board.statuses().forEach(s -> objectives.add(json(s)));
        send(res, out);
    }

    private void one(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Optional<SloStatus> status = board.status(name);
        if (status.isEmpty()) {
            ApiError.ofParam(Status.NOT_FOUND_404, "no objective is named " + name, "name", "slo_not_found").send(res);
            return;
        }
        send(res, json(status.get()));
    }

    static ObjectNode json(SloStatus s) {
        ObjectNode out = SlosApi.specJson(s.spec()).put("state", s.state().label());
        SloStatus.Window period = s.windows().getLast();
        out.put("error_budget", s.spec().errorBudget());
        if (s.budgetRemaining() == null) {
            out.putNull("budget_remaining");
        } else {
            out.put("budget_remaining", s.budgetRemaining());
        }
        out.putObject("period").put("good", period.good()).put("total", period.total());
        ArrayNode windows = out.putArray("burn_rates");
        for (SloStatus.Window w : s.windows().subList(0, s.windows().size() - 1)) {
            ObjectNode window = windows.addObject().put("window", DurationText.format(w.length()))
                    .put("good", w.good()).put("total", w.total());
            if (w.burnRate() == null) {
                window.putNull("error_ratio").putNull("burn_rate");
            } else {
                window.put("error_ratio", w.errorRatio()).put("burn_rate", w.burnRate());
            }
        }
        ArrayNode alerts = out.putArray("alerts");
        AlertWindows rules = s.spec().alertWindows();
        for (AlertWindows.Severity severity : AlertWindows.Severity.values()) {
            for (AlertWindows.Alert a : rules.of(severity)) {
                alerts.addObject().put("severity", severity.label())
                        .put("long_window", DurationText.format(a.longWindow()))
                        .put("short_window", DurationText.format(a.shortWindow()))
                        .put("burn_rate_above", a.burnRate());
            }
        }
        ArrayNode firing = out.putArray("firing");
        s.firing().forEach(firing::add);
        return out;
    }

    private static void send(ServerResponse res, ObjectNode body) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.header(NoCache.HEADER);
        res.send(body.toString());
    }
}
