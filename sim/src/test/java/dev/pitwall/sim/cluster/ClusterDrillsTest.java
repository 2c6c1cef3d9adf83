package dev.pitwall.sim.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated cluster's drills, performed through its drill URL as a drill run does. */
class ClusterDrillsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private static HttpResponse<String> send(String method, URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aKilledRankSaysSoOnItsNodeAndEveryRankTimesOut() throws Exception {
        try (TrainingCluster cluster = TrainingCluster.manual(dir, 3, 5, Clock.systemUTC())) {
            HttpResponse<String> answer = send("POST", cluster.drillUri(TrainingCluster.Drill.KILL_RANK));
            assertThat(answer.statusCode()).isEqualTo(200);
            String node = answer.body().replaceAll(".*\"node\":\"([^\"]+)\".*", "$1");
            assertThat(Files.readString(cluster.jobLog(node))).contains("ChildFailedError").contains("exitcode: -9");
            for (String each : cluster.nodes()) {
                assertThat(Files.readString(cluster.jobLog(each))).contains("Watchdog caught collective operation timeout");
            }
        }
    }

    @Test
    void aNodeGoneSilentWritesNothingWhileTheOthersTimeOut() throws Exception {
        try (TrainingCluster cluster = TrainingCluster.manual(dir, 3, 5, Clock.systemUTC())) {
            String silent = cluster.drill(TrainingCluster.Drill.NODE_NOT_READY);
            for (String each : cluster.nodes()) {
                assertThat(Files.readString(cluster.jobLog(each)).contains("Watchdog caught")).as(each)
                        .isEqualTo(!each.equals(silent));
            }
            assertThat(Files.readString(cluster.kernelLog(silent))).isEmpty();
        }
    }

    @Test
    void anUnknownScenarioOrAnotherMethodIsRefusedSayingWhatThereIs() throws Exception {
        try (TrainingCluster cluster = TrainingCluster.manual(dir, 2, 5, Clock.systemUTC())) {
            URI base = cluster.drillUri(TrainingCluster.Drill.DISK_FULL);
            HttpResponse<String> unknown = send("POST", base.resolve("/drills/meteor"));
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("kill-rank, hang-rank, nic-down, node-not-ready, disk-full");
            assertThat(send("GET", base).statusCode()).isEqualTo(405);
            for (String each : cluster.nodes()) {
                assertThat(Files.readString(cluster.jobLog(each))).isEmpty();
            }
        }
    }
}
