package dev.pitwall.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.acceptance.verdict.ResultsEvaluator;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by an earlier release opens with what it held. The fixture
 * {@code stores/pitwall-91d27b0.db} was written by {@code ./pitwall demo} at commit 91d27b0, when
 * the acceptance_run table was still migrated by trainops: the demo's acceptance run, its first
 * incident (acknowledged, then resolved) and a knowledge entry added over the API.
 */
class StoreUpgradeTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void keepsAcceptanceRunsIncidentsAndKnowledgeOfAnEarlierStore() throws Exception {
        try (InputStream in = StoreUpgradeTest.class.getResourceAsStream("/stores/pitwall-91d27b0.db")) {
            Files.copy(in, dataDir.resolve(Database.SQLITE_FILE));
        }
        PitwallConfig config = PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(new ServerConfig("127.0.0.1", 0, 64 * 1024, Duration.ofSeconds(5), false));
        try (Pitwall pitwall = Pitwall.start(config, Clock.systemUTC())) {
            JsonNode runs = get(pitwall, "/api/acceptance/runs");
            assertThat(runs).hasSize(1);
            assertThat(runs.get(0).path("name").asText()).isEqualTo("Simulated 8-node acceptance (demo)");
            assertThat(runs.get(0).path("verdict").asText()).isEqualTo("FAIL");
            assertThat(runs.get(0).path("failedNodes").asInt()).isEqualTo(3);
            HttpResponse<String> report = CLIENT.send(HttpRequest.newBuilder(uri(pitwall, "/api/acceptance/runs/1/report"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(report.statusCode()).isEqualTo(200);
            assertThat(report.body()).contains("<title>Simulated 8-node acceptance (demo)</title>");

            JsonNode incident = get(pitwall, "/api/incidents/1");
            assertThat(incident.path("title").asText()).startsWith("Xid 48");
            assertThat(incident.path("state").asText()).isEqualTo("RESOLVED");
            assertThat(incident.path("suspectedNode").asText()).isEqualTo("gpu-c02");
            assertThat(incident.path("signals").asInt()).isEqualTo(10);

            JsonNode entry = get(pitwall, "/api/knowledge/11");
            assertThat(entry.path("title").asText()).isEqualTo("Fixture: leaf switch lf-07 flapping");
            assertThat(entry.path("origin").asText()).isEqualTo("operator");
            // The search index is rebuilt from the stored entries.
            assertThat(get(pitwall, "/api/knowledge?q=transceiver").get(0).path("entry").path("id").asLong())
                    .isEqualTo(11);

            // New runs go on after the old ones rather than over them.
            Path results = Files.createDirectories(dataDir.resolve("results"));
            assertThat(pitwall.acceptanceRuns().save("after the upgrade", null,
                    ResultsEvaluator.evaluate(results, Optional.empty()))).isEqualTo(2);
        }
    }

    private static JsonNode get(Pitwall pitwall, String path) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(uri(pitwall, path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return Json.mapper().readTree(response.body());
    }

    private static URI uri(Pitwall pitwall, String path) {
        return URI.create("http://127.0.0.1:" + pitwall.port() + path);
    }
}
