package dev.pitwall.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.sim.cluster.ClusterViews;
import dev.pitwall.sim.cluster.TrainingCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's simulated cluster through the monitoring and scheduler checks, as the demo's notes
 * tell a user to run them: its dcgm-exporter keeps the default counters, so exactly the fields
 * training needs that the defaults leave off are missing, and its scheduling is healthy.
 */
class DemoClusterChecksTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        var line = PitwallCommand.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line.execute(args);
    }

    @Test
    void theMonitoringCheckNamesTheFieldsTheDefaultsLeaveOffAndTheSnapshotPasses() throws Exception {
        try (TrainingCluster cluster = TrainingCluster.start(dir.resolve("logs"), 8, 42, Duration.ofHours(1),
                Duration.ofHours(1), Duration.ofHours(1))) {
            ClusterViews.writeScrapes(cluster, dir.resolve("monitoring"));
            ClusterViews.writeSchedulerSnapshot(cluster, dir.resolve("snapshot"), Instant.now().minus(Duration.ofHours(6)));
        }

        assertThat(run("check", "monitoring", "--scrape", dir.resolve("monitoring").toString(), "--format", "json"))
                .as(err.toString()).isEqualTo(1);
        JsonNode monitoring = Json.mapper().readTree(out.toString());
        Set<String> missing = new TreeSet<>();
        List<String> others = new ArrayList<>();
        for (JsonNode f : monitoring.path("findings")) {
            if (f.path("check").asText().equals("monitoring.missing") && f.path("verdict").asText().equals("FAIL")) {
                missing.add(f.path("expected").asText());
            } else {
                others.add(f.toString());
            }
        }
        // The catalog's fields after dcgm-exporter's defaults, and nothing else.
        assertThat(missing).containsExactlyInAnyOrder("DCGM_FI_PROF_SM_ACTIVE", "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
                "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL",
                "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL", "DCGM_FI_DEV_POWER_VIOLATION",
                "DCGM_FI_DEV_THERMAL_VIOLATION", "DCGM_EXP_XID_ERRORS_COUNT");
        assertThat(others).as("no other finding").isEmpty();
        assertThat(monitoring.path("nodes")).hasSize(8);

        out.getBuffer().setLength(0);
        assertThat(run("check", "scheduler", "--snapshot", dir.resolve("snapshot").toString(), "--format", "json"))
                .as(err.toString()).isZero();
        JsonNode scheduling = Json.mapper().readTree(out.toString());
        assertThat(scheduling.path("verdict").asText()).isEqualTo("PASS");
        assertThat(scheduling.path("findings")).isEmpty();
    }
}
