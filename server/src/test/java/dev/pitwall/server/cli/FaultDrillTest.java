package dev.pitwall.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.sim.cluster.TrainingCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault drills end to end, as the demo runs them: a Pitwall server, the simulated cluster training
 * with a step every 200 ms, node agents shipping its logs, and {@code pitwall drill run} performing
 * the fault through the cluster's drill URL and measuring it from Pitwall's API alone.
 */
class FaultDrillTest {

    @TempDir
    Path dir;

    private Pitwall pitwall;
    private TrainingCluster cluster;
    private DemoCommand.ClusterShippers shippers;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dir.resolve("data"))
                .withServer(ServerConfig.defaults().withPort(0)), Clock.systemUTC());
        cluster = TrainingCluster.start(dir.resolve("cluster"), 4, 11, Duration.ofMillis(200), Duration.ofHours(1),
                Duration.ofHours(1));
        shippers = new DemoCommand.ClusterShippers(cluster, server(), dir.resolve("cluster"));
    }

    @AfterEach
    void stop() {
        shippers.close();
        cluster.close();
        pitwall.close();
    }

    private URI server() {
        return URI.create("http://127.0.0.1:" + pitwall.port());
    }

    private int run(String... args) {
        var line = PitwallCommand.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line.execute(args);
    }

    @Test
    void aKilledRankIsDetectedAndTheJobsRecoveryMeasured() throws Exception {
        assertThat(run("drill", "run", "--scenario", "kill-rank", "--server", server().toString(), "--inject-url",
                cluster.drillUri(TrainingCluster.Drill.KILL_RANK).toString(), "--detect-within", "30s",
                "--recover-within", "60s", "--poll", "200ms", "--format", "json")).as(err.toString()).isZero();

        JsonNode report = Json.mapper().readTree(out.toString());
        assertThat(report.path("verdict").asText()).isEqualTo("PASS");
        double detect = report.path("time_to_detect_seconds").asDouble();
        double recover = report.path("time_to_recover_seconds").asDouble();
        assertThat(detect).isBetween(0.0, 30.0);
        // The job stays down five steps (1 s) after the fault, so it cannot have recovered before that.
        assertThat(recover).isGreaterThan(1.0).isGreaterThan(detect).isLessThan(60.0);
        assertThat(report.path("incident").path("rule").asText()).isEqualTo("torch-elastic-child-failed");
        assertThat(report.path("incident").path("opened").asBoolean()).isTrue();
        assertThat(report.path("steps_lost").asLong()).isNotNegative();
        assertThat(report.path("performed").asText()).contains("\"scenario\":\"kill-rank\"");

        // Kept on the server that measured it, listed and with its report, as the Reports page links it.
        assertThat(err.toString()).contains("stored as drill 1: " + server() + "/api/drills/1/report");
        JsonNode listed = get("/api/drills");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("result").path("time_to_detect_seconds").asDouble()).isEqualTo(detect);
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(server().resolve("/api/drills/1/report")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Fault drill: kill-rank").contains("class=\"bars\"").contains("torch-elastic-child-failed");
        HttpResponse<String> reports = http.send(HttpRequest.newBuilder(server().resolve("/reports")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reports.body()).contains("href=\"/api/drills/1/report\"").contains("kill-rank</a>: PASS");
    }

    @Test
    void theServerRefusesADrillResultWhoseVerdictItsOwnTimesContradictAndAnUnknownDrill() throws Exception {
        String contradicted = """
                {"scenario":"kill-rank","verdict":"PASS","injected_at":"2026-11-30T10:00:00Z",
                 "time_to_detect_seconds":900,"time_to_recover_seconds":20,"detect_within_seconds":60,
                 "recover_within_seconds":120,"timeout_seconds":180}""";
        HttpResponse<String> refused = post("/api/drills", contradicted);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("does not follow from the times and targets");
        assertThat(post("/api/drills", "{\"scenario\":\"\"}").body()).contains("scenario must be a name")
                .contains("verdict must be PASS or FAIL").contains("injected_at must be");
        assertThat(post("/api/drills", "not json").statusCode()).isEqualTo(400);
        assertThat(get("/api/drills")).isEmpty();
        HttpResponse<String> failed = post("/api/drills", contradicted.replace("\"PASS\"", "\"FAIL\""));
        assertThat(failed.statusCode()).isEqualTo(201);
        assertThat(failed.headers().firstValue("Location")).hasValue("/api/drills/1");
        assertThat(http.send(HttpRequest.newBuilder(server().resolve("/api/drills/2")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }

    private final HttpClient http = HttpClient.newHttpClient();

    private JsonNode get(String path) throws Exception {
        return Json.mapper().readTree(http.send(HttpRequest.newBuilder(server().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(server().resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSecondFaultSecondsAfterTheFirstIsMeasuredByItsOwnRule() throws Exception {
        assertThat(run("drill", "run", "--scenario", "nic-down", "--server", server().toString(), "--inject-url",
                cluster.drillUri(TrainingCluster.Drill.NIC_DOWN).toString(), "--detect-within", "30s",
                "--recover-within", "60s", "--poll", "200ms", "--format", "json")).as(out.toString()).isZero();
        JsonNode first = Json.mapper().readTree(out.toString());
        assertThat(first.path("incident").path("rule").asText()).isEqualTo("ib-link-down");
        out.getBuffer().setLength(0);

        // The disk fills minutes later in the same job: its own rule, not the link's, measures it.
        assertThat(run("drill", "run", "--scenario", "disk-full", "--server", server().toString(), "--inject-url",
                cluster.drillUri(TrainingCluster.Drill.DISK_FULL).toString(), "--detect-within", "30s",
                "--recover-within", "60s", "--poll", "200ms", "--format", "json")).as(out.toString()).isZero();
        JsonNode second = Json.mapper().readTree(out.toString());
        assertThat(second.path("incident").path("rule").asText()).isEqualTo("no-space-left");
        // Seconds after the first, inside its burst, it joins the first's incident: still measured by its own rule.
        assertThat(second.path("incident").path("id").asLong()).isEqualTo(first.path("incident").path("id").asLong());
        assertThat(Instant.parse(second.path("incident").path("seenAt").asText()))
                .isAfter(Instant.parse(second.path("injected_at").asText()).minusSeconds(1));
    }

    @Test
    void aFaultNobodyNoticesFailsTheDrillAndSaysWhereToLook() {
        assertThat(run("drill", "run", "--scenario", "nothing", "--server", server().toString(), "--inject", "true",
                "--detect-within", "1s", "--recover-within", "1s", "--timeout", "2s", "--poll", "200ms"))
                .as(err.toString()).isEqualTo(1);
        assertThat(out.toString()).containsPattern("Verdict +FAIL")
                .containsPattern("time to detect +not reached +≤ 1.0 s +missed")
                .contains("No signal reached an incident within 2.0 s");
    }

    @Test
    void aFaultThatCannotBePerformedOrAServerThatIsNotThereIsAUsageError() {
        assertThat(run("drill", "run", "--scenario", "kill-rank", "--server", server().toString(), "--inject", "exit 3"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("the fault's command failed (exit 3)");
        assertThat(run("drill", "run", "--scenario", "kill-rank", "--server", server().toString(), "--inject-url",
                server().resolve("/drills/nowhere").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("answered 404");
        assertThat(run("drill", "run", "--scenario", "kill-rank", "--server", server().toString())).isEqualTo(2);
        assertThat(err.toString()).contains("give the fault as --inject COMMAND or --inject-url URL");
    }
}
