package dev.pitwall.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.catalog.ClusterMetric;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import dev.pitwall.server.PitwallStore;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.trainops.telemetry.GpuReading;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReportCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path data;

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cli = PitwallCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /** A store whose GPUs were half allocated in the first two weeks of October and three quarters in the next two. */
    @BeforeEach
    void store() {
        data = dir.resolve("data");
        try (Database database = PitwallStore.open(PitwallConfig.load(Optional.empty(), Map.of()).withDataDir(data),
                new SimpleMeterRegistry())) {
            UtilizationStore utilization = new UtilizationStore(database);
            Instant start = Instant.parse("2026-10-01T00:00:00Z");
            for (int round = 0; round < 28 * 24 * 2; round++) {
                Instant at = start.plus(Duration.ofMinutes(30L * round));
                int allocated = at.isBefore(start.plus(Duration.ofDays(14))) ? 4 : 6;
                allocated += round % 3 - 1;   // a little up and down, hour to hour
                List<GpuReading> gpus = new ArrayList<>();
                for (int g = 0; g < 8; g++) {
                    gpus.add(new GpuReading("n1", String.valueOf(g), "H100", 90, OptionalDouble.empty(), 0,
                            g < allocated ? "train-0" : "", OptionalDouble.of(60_000 + round)));
                }
                utilization.record(at, gpus);
            }
        }
    }

    @Test
    void abComparesTwoPeriodsFromTheStoreWithIntervals() throws Exception {
        assertThat(run("report", "ab", "--before", "2026-10-01..2026-10-14", "--after", "2026-10-15..2026-10-28",
                "--data-dir", data.toString(), "--format", "json", "--resamples", "2000")).as(err.toString()).isZero();

        JsonNode json = Json.mapper().readTree(out.toString());
        JsonNode physical = json.path("figures").get(0);
        assertThat(physical.path("figure").asText()).isEqualTo("Physical GPU utilisation");
        assertThat(physical.path("before").path("mean").asDouble()).isCloseTo(50.0, org.assertj.core.data.Offset.offset(0.5));
        assertThat(physical.path("after").path("mean").asDouble()).isCloseTo(75.0, org.assertj.core.data.Offset.offset(0.5));
        assertThat(physical.path("before").path("n").asInt()).isEqualTo(14 * 24);
        assertThat(physical.path("reading").asText()).isEqualTo("better");
        assertThat(physical.path("interval").get(0).asDouble()).isPositive();
        assertThat(physical.path("before").path("samples")).hasSize(14 * 24);
        assertThat(err.toString()).contains("reading SQLite");

        assertThat(run("report", "ab", "--before", "2026-10-01..2026-10-14", "--after", "2026-10-15..2026-10-28",
                "--data-dir", data.toString(), "--format", "html")).isZero();
        assertThat(out.toString()).contains("<svg").contains("Physical GPU utilisation by hour");
    }

    @Test
    void abRefusesWhatCannotBeCompared() throws Exception {
        Path log = Files.writeString(dir.resolve("run.log"), " iteration 1/ 2 | elapsed time per iteration (ms): 900.0 |\n");
        assertThat(run("report", "ab", "--before", "2026-10-01..2026-10-14", "--after", log.toString(),
                "--data-dir", data.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("both be periods (FROM..TO) or both runs");
        assertThat(run("report", "ab", "--before", "2026-10-01..2026-10-20", "--after", "2026-10-15..2026-10-28",
                "--data-dir", data.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("overlap");
        assertThat(run("report", "ab", "--before", "last-week..2026-10-14", "--after", "2026-10-15..",
                "--data-dir", data.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("\"last-week\" is neither a date");
        assertThat(run("report", "ab", "--before", "2026-10-14..2026-10-01", "--after", "2026-10-15..",
                "--data-dir", data.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("ends before it starts");
        assertThat(run("report", "ab", "--before", "2026-10-01..2026-10-14", "--after", "2026-10-15..2026-10-28",
                "--data-dir", dir.resolve("nowhere").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no Pitwall store");
        assertThat(Files.exists(dir.resolve("nowhere"))).isFalse();
        assertThat(run("report", "ab", "--before", log.toString(), "--after", dir.resolve("missing.log").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("missing.log is neither a period");
        assertThat(run("report", "ab", "--before", "2026-10-01..2026-10-14", "--after", "2026-10-15..2026-10-28",
                "--data-dir", data.toString(), "--jobs", dir.resolve("jobs.csv").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no such file");
    }

    @Test
    void metricsListsTheCatalogWithTheStoresValuesAndRefusesAStoreThatIsNotThere() throws Exception {
        assertThat(run("report", "metrics", "--data-dir", data.toString(), "--format", "json")).as(err.toString()).isZero();
        JsonNode json = Json.mapper().readTree(out.toString());
        assertThat(json.path("metrics")).hasSize(ClusterMetric.values().length);
        assertThat(json.path("theoretical").isNull()).isTrue();

        assertThat(run("report", "metrics", "--data-dir", dir.resolve("nowhere").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no Pitwall store");
    }

    @Test
    void supportSummarisesAPeriodAndRefusesOneThatIsNot() throws Exception {
        assertThat(run("report", "support", "--data-dir", data.toString(), "--format", "json")).as(err.toString()).isZero();
        JsonNode json = Json.mapper().readTree(out.toString());
        assertThat(json.path("incidents").asInt()).isZero();
        assertThat(json.path("mttr_trend").asText()).isEqualTo("too few incidents");
        assertThat(json.path("by_bucket")).hasSize(5);
        assertThat(run("report", "support", "--data-dir", data.toString())).isZero();
        assertThat(out.toString()).contains("Nothing to recommend");
        assertThat(run("report", "support", "--data-dir", data.toString(), "--period", "yesterday")).isEqualTo(2);
        assertThat(err.toString()).contains("is not a period FROM..TO");
    }

    @Test
    void stabilityJudgesTheLongestIncidentFreeStretchAgainstItsTarget() throws Exception {
        assertThat(run("report", "stability", "--period", "2026-10-01..2026-10-03", "--data-dir", data.toString(),
                "--target-incident-free", "72h", "--format", "json")).as(err.toString()).isZero();
        JsonNode json = Json.mapper().readTree(out.toString());
        assertThat(json.path("hours").asDouble()).isEqualTo(72.0);
        assertThat(json.path("longest_incident_free_hours").asDouble()).isEqualTo(72.0);
        assertThat(json.path("verdict").asText()).isEqualTo("PASS");
        // The seeded GPUs' memory grows a MiB a round, two rounds an hour.
        assertThat(json.path("memory_growth_mib_per_hour").asDouble()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(json.path("memory_growth").asText()).startsWith("rising");
        assertThat(run("report", "stability", "--period", "2026-10-01..2026-10-02", "--data-dir", data.toString(),
                "--target-incident-free", "72h")).isEqualTo(1);
        assertThat(out.toString()).contains("FAIL (longest incident-free stretch 48.0 h, target 72.0 h)");
        assertThat(run("report", "stability", "--data-dir", data.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--period");
    }

    @Test
    void integrationIsIncompleteAndExitsOneWhileAnItemWasNeverChecked() throws Exception {
        assertThat(run("report", "integration", "--data-dir", data.toString(), "--format", "json")).isEqualTo(1);
        JsonNode json = Json.mapper().readTree(out.toString());
        assertThat(json.path("verdict").isNull()).isTrue();
        assertThat(json.path("items")).hasSize(5).allSatisfy(i -> assertThat(i.path("how").asText()).startsWith("pitwall"));
    }
}
