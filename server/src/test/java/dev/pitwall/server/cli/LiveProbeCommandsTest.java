package dev.pitwall.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.probe.ProbeSession;
import dev.pitwall.acceptance.probe.VolcanoScheduler;
import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import dev.pitwall.server.PitwallStore;
import dev.pitwall.server.config.PitwallConfig;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pitwall check scheduler} live and {@code pitwall check storage}, through a kubeconfig
 * naming fabric8's mock API server: no scheduler or provisioner answers there, so a job that
 * should be placed is not, and the commands must say so, keep the findings when asked, and leave
 * the cluster as they found it.
 */
@EnableKubernetesMockClient(crud = true)
class LiveProbeCommandsTest {

    static {
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    }

    KubernetesClient client;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path kubeconfig;

    @BeforeEach
    void cluster() throws Exception {
        for (String name : new String[] {"gpu-a01", "gpu-a02"}) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus()
                    .addToAllocatable("nvidia.com/gpu", new Quantity("8")).addNewCondition().withType("Ready")
                    .withStatus("True").endCondition().endStatus().build()).create();
        }
        kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s", insecure-skip-tls-verify: true}
                users:
                - name: probe
                  user: {token: secret}
                contexts:
                - name: mock
                  context: {cluster: mock, user: probe}
                current-context: mock
                """.formatted(client.getConfiguration().getMasterUrl()));
    }

    private int run(String... args) {
        var line = PitwallCommand.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        return line.execute(args);
    }

    @Test
    void aJobNobodyPlacesFailsWithEvidenceIsStoredAndNothingIsLeftBehind() throws Exception {
        int exit = run("check", "scheduler", "--scheduler", "volcano", "--kubeconfig", kubeconfig.toString(),
                "--probes", "whole_node,gang_unfittable", "--probe-timeout", "1s", "--hold", "1s", "--format", "json",
                "--store", "--data-dir", dir.resolve("data").toString());

        assertThat(exit).as(err.toString()).isEqualTo(1);
        var json = Json.mapper().readTree(out.toString());
        assertThat(json.path("verdict").asText()).isEqualTo("FAIL");
        assertThat(json.path("findings").get(0).path("check").asText()).isEqualTo("scheduler.probe.whole_node");
        assertThat(json.path("findings").get(0).path("detail").asText())
                .contains("a 8-GPU pod stayed unplaced for").contains("while 2 nodes had 8 GPUs free");
        assertThat(json.path("findings").get(1).path("verdict").asText()).isEqualTo("PASS");
        assertThat(err.toString()).contains("stored as acceptance run 1");

        assertThat(client.namespaces().withName("pitwall-probes").get()).isNull();
        assertThat(client.pods().inAnyNamespace().withLabel(ProbeSession.LABEL).list().getItems()).isEmpty();
        assertThat(client.genericKubernetesResources(VolcanoScheduler.POD_GROUPS).inAnyNamespace().list().getItems())
                .isEmpty();
        assertThat(client.genericKubernetesResources(VolcanoScheduler.QUEUES).list().getItems()).isEmpty();

        PitwallConfig config = PitwallConfig.load(Optional.empty(), Map.of()).withDataDir(dir.resolve("data"));
        try (Database database = PitwallStore.open(config, new SimpleMeterRegistry())) {
            var stored = new AcceptanceRuns(database, Clock.systemUTC()).recent(5);
            assertThat(stored).hasSize(1);
            assertThat(stored.getFirst().verdict()).isEqualTo(Verdict.FAIL);
            assertThat(stored.getFirst().name()).startsWith("Scheduler check: Volcano");
            assertThat(stored.getFirst().findings()).isEqualTo(1);
        }
    }

    @Test
    void refusesAnUnknownProbeOrSchedulerAndAClusterItCannotReach() throws Exception {
        assertThat(run("check", "scheduler", "--scheduler", "volcano", "--kubeconfig", kubeconfig.toString(),
                "--probes", "gang,lottery")).isEqualTo(2);
        assertThat(err.toString()).contains("no probe lottery; the probes are whole_node, gang");
        assertThat(run("check", "scheduler", "--scheduler", "yunikorn", "--kubeconfig", kubeconfig.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("no scheduler yunikorn; give volcano or kueue");
        assertThat(run("check", "scheduler", "--kubeconfig", kubeconfig.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("give --scheduler volcano|kueue");

        Path nowhere = Files.writeString(dir.resolve("nowhere"), Files.readString(kubeconfig)
                .replace(client.getConfiguration().getMasterUrl(), "https://127.0.0.1:1/"));
        assertThat(run("check", "scheduler", "--scheduler", "kueue", "--kubeconfig", nowhere.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read the cluster's nodes at https://127.0.0.1:1/");
    }

    @Test
    void checkStorageNamesTheClassesThereAreWhenTheOneAskedForIsMissing() throws Exception {
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("ceph-rbd")
                .endMetadata().withProvisioner("rbd.csi.ceph.com").build()).create();

        assertThat(run("check", "storage", "--storage-class", "fast-nvme", "--kubeconfig", kubeconfig.toString()))
                .as(err.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("Storage class fast-nvme at ").contains(": FAIL")
                .contains("the cluster has no StorageClass fast-nvme; it has: ceph-rbd");
        assertThat(client.namespaces().withName("pitwall-probes").get()).isNull();
        assertThat(run("check", "storage", "--storage-class", "ceph-rbd", "--pods", "0", "--kubeconfig",
                kubeconfig.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--pods must be at least 1");
    }

    @Test
    void aFinishedCampaignMarksEachNodeWithItsVerdict() throws Exception {
        for (String name : new String[] {"node-001", "node-002"}) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        }
        // node-003 is not in the cluster: said, not an error.
        int exit = run("check", "campaign", "--simulate", "3", "--faulty", "0", "--duration", "6h", "--format", "json",
                "--label-nodes", "--valid-for", "7d", "--kubeconfig", kubeconfig.toString(), "--data-dir", dir.toString(),
                "--results", dir.resolve("campaign").toString());

        assertThat(exit).as(err.toString()).isIn(0, 1);
        assertThat(err.toString()).contains("marked 2 node(s) with pitwall.dev/burn-in; not in the cluster: node-003");
        var status = Json.mapper().readTree(out.toString());
        for (String name : new String[] {"node-001", "node-002"}) {
            var node = client.nodes().withName(name).get();
            String verdict = status.path("nodes").path(name).path("verdict").asText();
            assertThat(node.getMetadata().getLabels()).as(name)
                    .containsEntry("pitwall.dev/burn-in", verdict.toLowerCase(Locale.ROOT));
            assertThat(node.getMetadata().getAnnotations()).containsEntry("pitwall.dev/burn-in-campaign", "1");
            if (!verdict.equals("FAIL")) {
                assertThat(Instant.parse(node.getMetadata().getAnnotations().get("pitwall.dev/burn-in-valid-until")))
                        .isEqualTo(Instant.parse(status.path("finishedAt").asText()).plus(Duration.ofDays(7))
                                .truncatedTo(ChronoUnit.SECONDS));
            }
        }
    }

}
