package dev.pitwall.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import dev.pitwall.server.PitwallStore;
import dev.pitwall.server.config.PitwallConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The training stress test from the command line, on the simulated cluster, into the store. */
class StressCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cli = PitwallCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void aSimulatedClusterWithACongestedSpineFailsItsLargestScaleAndIsKeptWithItsReport() throws Exception {
        Path data = dir.resolve("data");
        assertThat(run("check", "stress", "--simulate", "128", "--faulty", "--results", dir.resolve("out").toString(),
                "--store", "--data-dir", data.toString(), "--format", "json")).as(err.toString()).isEqualTo(1);

        JsonNode json = Json.mapper().readTree(out.toString());
        assertThat(json.path("verdict").asText()).isEqualTo("FAIL");
        JsonNode scales = json.path("scales");
        assertThat(scales).hasSize(3);
        assertThat(scales.get(0).path("scaling_efficiency").asDouble()).isEqualTo(1.0);
        // A healthy doubling loses little; the congested spine at 128 nodes loses a quarter.
        assertThat(scales.get(1).path("scaling_efficiency").asDouble()).isGreaterThan(0.95);
        assertThat(scales.get(2).path("scaling_efficiency").asDouble()).isLessThan(0.8);
        assertThat(scales.get(2).path("findings").get(0).path("check").asText()).isEqualTo("scaling");
        assertThat(scales.get(1).path("checkpoint").asText()).isEqualTo("MISSING");
        assertThat(scales.get(0).path("checkpoint").asText()).isEqualTo("READ_BACK");
        assertThat(Files.isRegularFile(dir.resolve("out/scale-128/train.log"))).isTrue();

        assertThat(err.toString()).contains("stored as acceptance run 1");
        try (Database database = PitwallStore.open(PitwallConfig.load(Optional.empty(), Map.of()).withDataDir(data),
                new SimpleMeterRegistry())) {
            AcceptanceRuns runs = new AcceptanceRuns(database, Clock.systemUTC());
            AcceptanceRuns.Summary stored = runs.recent(1).getFirst();
            assertThat(stored.name()).isEqualTo("Stress test: stress at 32, 64, 128 nodes");
            assertThat(stored.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(runs.reportHtml(stored.id())).hasValueSatisfying(html -> assertThat(html)
                    .contains("Training stress test: stress").contains("Scaling efficiency"));
        }

        assertThat(run("check", "stress", "--simulate", "64", "--scales", "16,32,64", "--results",
                dir.resolve("healthy").toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("verdict              PASS");
    }

    @Test
    void theStressPlanRunsThroughCheckCampaignTooAndIsKept() throws Exception {
        Path data = dir.resolve("data");
        assertThat(run("check", "campaign", "--plan", "stress", "--simulate", "128", "--results",
                dir.resolve("through-campaign").toString(), "--data-dir", data.toString(), "--format", "json"))
                .as(err.toString()).isZero();
        assertThat(Json.mapper().readTree(out.toString()).path("scales")).hasSize(3);
        assertThat(err.toString()).contains("stored as acceptance run 1");
        assertThat(run("check", "campaign", "--plan", "stress", "--simulate", "128", "--duration", "24h",
                "--data-dir", data.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--duration, --profile and --label-nodes are a burn-in's");
        assertThat(run("check", "campaign", "--plan", "stability", "--nodes", "a", "--data-dir", data.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("pitwall report stability");
    }

    @Test
    void aStabilityRunIsStoppedWhenItsDurationEndsAndJudgedFromTheStore() throws Exception {
        Path data = dir.resolve("data");
        PitwallStore.open(PitwallConfig.load(Optional.empty(), Map.of()).withDataDir(data), new SimpleMeterRegistry())
                .close();
        Path longJob = Files.writeString(dir.resolve("long.yaml"), "name: long\nscales: [2]\njob:\n"
                + "  command: \"echo training on {hosts} > {output}/train.log; sleep 30\"\n");
        assertThat(run("check", "stability", "--plan", longJob.toString(), "--nodes", "n1,n2", "--duration", "1s",
                "--results", dir.resolve("run").toString(), "--data-dir", data.toString(), "--format", "json"))
                .as(err.toString()).isZero();
        assertThat(err.toString()).contains("the job ran until the duration ended");
        assertThat(Files.readString(dir.resolve("run/train.log"))).isEqualTo("training on n1,n2\n");
        JsonNode json = Json.mapper().readTree(out.toString());
        assertThat(json.path("incidents").asInt()).isZero();
        assertThat(json.path("hours").asDouble()).isBetween(0.0, 0.01);

        // The run must hold for 72 h: a second is not that.
        assertThat(run("check", "stability", "--plan", longJob.toString(), "--nodes", "n1", "--duration", "1s",
                "--target-incident-free", "72h", "--results", dir.resolve("run2").toString(), "--data-dir",
                data.toString())).isEqualTo(1);
        Path failing = Files.writeString(dir.resolve("failing.yaml"), "name: failing\nscales: [1]\njob:\n"
                + "  command: \"exit 3\"\n");
        assertThat(run("check", "stability", "--plan", failing.toString(), "--nodes", "n1", "--duration", "10s",
                "--results", dir.resolve("run3").toString(), "--data-dir", data.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("the job failed with exit 3");
        // No store: said before the job starts, nothing run.
        assertThat(run("check", "stability", "--plan", longJob.toString(), "--nodes", "n1", "--duration", "1s",
                "--results", dir.resolve("run4").toString(), "--data-dir", dir.resolve("nowhere").toString()))
                .isEqualTo(2);
        assertThat(Files.exists(dir.resolve("run4"))).isFalse();
    }

    @Test
    void whatCannotRunIsAUsageError() {
        assertThat(run("check", "stress", "--results", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("give the nodes (--nodes a,b,…) or --simulate N");
        assertThat(run("check", "stress", "--nodes", "a,b", "--faulty", "--results", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--faulty goes with --simulate");
        assertThat(run("check", "stress", "--nodes", "a,b", "--results", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("needs 128 nodes; 2 given");
        assertThat(run("check", "stress", "--plan", dir.resolve("none.yaml").toString(), "--nodes", "a")).isEqualTo(2);
        assertThat(err.toString()).contains("no such stress plan");
    }
}
