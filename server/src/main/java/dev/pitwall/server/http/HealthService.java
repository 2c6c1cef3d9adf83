package dev.pitwall.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.NoCache;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;

/**
 * Kubernetes-style probes. {@code /health/live} answers while the process can serve HTTP at all;
 * {@code /health/ready} answers 200 only while the store answers too, so a load balancer stops
 * sending traffic to a replica that lost its database.
 */
public final class HealthService implements HttpService {

    private static final Duration STORAGE_TIMEOUT = Duration.ofSeconds(2);

    private final Database database;

    public HealthService(Database database) {
        this.database = database;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/live", this::live)
                .get("/ready", this::ready);
    }

    private void live(ServerRequest request, ServerResponse response) {
        ObjectNode body = Json.mapper().createObjectNode().put("status", "UP");
        send(response, Status.OK_200, body);
    }

    private void ready(ServerRequest request, ServerResponse response) {
        boolean storageUp = database.ping(STORAGE_TIMEOUT);
        ObjectNode body = Json.mapper().createObjectNode().put("status", storageUp ? "UP" : "DOWN");
        body.putArray("checks").addObject()
                .put("name", "storage")
                .put("status", storageUp ? "UP" : "DOWN")
                .put("detail", database.describe());
        send(response, storageUp ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, body);
    }

    private static void send(ServerResponse response, Status status, ObjectNode body) {
        response.status(status);
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.header(NoCache.HEADER);
        response.send(body.toString());
    }
}
