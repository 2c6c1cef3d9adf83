package dev.pitwall.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.acceptance.campaign.CampaignFinding;
import dev.pitwall.acceptance.campaign.CampaignPlan;
import dev.pitwall.acceptance.campaign.CampaignRunner;
import dev.pitwall.acceptance.campaign.CampaignStatus;
import dev.pitwall.acceptance.campaign.CampaignStore;
import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.verdict.Baseline;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageConfig;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.sim.cluster.BurnInCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped burn-in plan on a simulated 128-node cluster with the Llama 3 fault mix and two slow
 * drifts: every faulty node is found, at most one healthy node is failed, and every failure
 * points at outputs that exist.
 */
class SimulatedCampaignTest {

    @TempDir
    Path dir;

    @Test
    void aBurnInOf128NodesFindsEveryFaultyNodeWithItsEvidence() throws Exception {
        BurnInCluster cluster = BurnInCluster.create(128, 12, 7);
        SimulatedBurnIn.Time time = new SimulatedBurnIn.Time(Instant.parse("2026-12-01T00:00:00Z"));
        try (Database database = Database.open(StorageConfig.defaults(), dir, new SimpleMeterRegistry())) {
            database.migrate(AcceptanceRuns.MODULE);
            CampaignRunner runner = new CampaignRunner(new CampaignStore(database), new SimulatedBurnIn(cluster, time), time,
                    CampaignRunner.Progress.NONE);
            long id = runner.start("hall B", CampaignPlan.load("burn-in"), cluster.nodes(), Duration.ofHours(12),
                    Optional.of(Baseline.load("h100-sxm-8x")), dir.resolve("campaign"));

            CampaignStatus status = runner.run(id);

            assertThat(status.rounds()).as("rounds of the day's first twelve hours").isGreaterThanOrEqualTo(6);
            assertThat(status.failedNodes()).as("every faulty or drifting node: " + cluster.faults())
                    .containsAll(cluster.faults().keySet());
            assertThat(status.failedNodes().stream().filter(n -> !cluster.faults().containsKey(n)))
                    .as("healthy nodes failed").hasSizeLessThanOrEqualTo(1);
            for (String node : status.failedNodes()) {
                CampaignFinding failed = status.node(node).orElseThrow().failedAt();
                assertThat(failed.finding().detail()).as(node).isNotBlank();
                for (String path : failed.evidence().split(" … ")) {
                    assertThat(Path.of(status.folder()).resolve(path)).as(node + ": " + failed).isDirectory();
                }
            }
            // The drifts are caught by their trends, not by a single round's rule.
            cluster.faults().forEach((node, fault) -> {
                if (fault.startsWith("FLAPS_ACCELERATE") || fault.startsWith("THROTTLE_GROWS")) {
                    assertThat(status.findings()).filteredOn(f -> f.finding().node().equals(node)
                                    && f.finding().verdict() == Verdict.FAIL)
                            .as(node + " " + fault).isNotEmpty()
                            .allSatisfy(f -> assertThat(f.stage()).isEqualTo(CampaignFinding.TRENDS));
                }
            });
        }
    }

    @Test
    void theCommandStoresTheCampaignAndShowsItAgain() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var line = PitwallCommand.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int code = line.execute("check", "campaign", "--simulate", "12", "--faulty", "1", "--duration", "12h",
                "--data-dir", dir.toString(), "--results", dir.resolve("out").toString());

        assertThat(code).as(err.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("Failed without a fault: none").doesNotContain("MISSED");
        assertThat(err.toString()).contains("pitwall check campaign --resume 1").contains("round 1, sanity: 12 nodes");
        assertThat(dir.resolve("out").resolve("round-001").resolve("stress")).isDirectory();

        StringWriter shown = new StringWriter();
        line.setOut(new PrintWriter(shown, true));
        assertThat(line.execute("check", "campaign", "--show", "1", "--format", "json", "--data-dir", dir.toString()))
                .isEqualTo(1);
        JsonNode json = Json.mapper().readTree(shown.toString());
        assertThat(json.path("verdict").asText()).isEqualTo("FAIL");
        assertThat(json.path("nodes")).hasSize(12);
        assertThat(json.path("stages").size()).isEqualTo(json.path("rounds").asInt() * 4);

        assertThat(line.execute("check", "campaign", "--show", "9", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no campaign 9");
        assertThat(line.execute("check", "campaign", "--resume", "1", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("campaign 1 ran on the simulated cluster");
        assertThat(Files.exists(dir.resolve("out").resolve("round-001").resolve("sanity").resolve("run.json"))).isTrue();
        assertThat(line.execute("check", "campaign", "--simulate", "8", "--kubernetes-image", "burn-in:1",
                "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--simulate and --kubernetes-image do not go together");

        // The server over the same store: listed, shown, reported, and on the console's Reports page.
        PitwallConfig config = PitwallConfig.defaults().withDataDir(dir)
                .withServer(new ServerConfig("127.0.0.1", 0, 64 * 1024, Duration.ofSeconds(5), false));
        try (Pitwall pitwall = Pitwall.start(config, Clock.systemUTC())) {
            JsonNode listed = Json.mapper().readTree(get(pitwall, "/api/acceptance/campaigns", 200));
            assertThat(listed).singleElement().satisfies(c -> {
                assertThat(c.path("verdict").asText()).isEqualTo("FAIL");
                assertThat(c.path("nodes").asInt()).isEqualTo(12);
                assertThat(c.path("failed").asInt()).isEqualTo(json.path("nodes").properties().stream()
                        .filter(e -> e.getValue().path("verdict").asText().equals("FAIL")).count());
                assertThat(c.path("finishedAt").isNull()).isFalse();
            });
            assertThat(Json.mapper().readTree(get(pitwall, "/api/acceptance/campaigns/1", 200)).path("findings").size())
                    .isEqualTo(json.path("findings").size());
            assertThat(get(pitwall, "/api/acceptance/campaigns/1/report", 200)).contains("<svg")
                    .contains("Failed nodes (each left the campaign here)");
            assertThat(get(pitwall, "/api/acceptance/campaigns/99", 404)).contains("no campaign 99");
            assertThat(get(pitwall, "/api/acceptance/campaigns/x/report", 404)).contains("no campaign x");
            assertThat(get(pitwall, "/reports", 200)).contains("/api/acceptance/campaigns/1/report");
        }
    }

    private static String get(Pitwall pitwall, String path, int status) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + pitwall.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        return response.body();
    }
}
