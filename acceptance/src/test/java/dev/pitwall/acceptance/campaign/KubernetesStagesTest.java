package dev.pitwall.acceptance.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.probe.ProbeSession;
import dev.pitwall.acceptance.run.CheckPlan;
import dev.pitwall.acceptance.run.CheckRunner;
import dev.pitwall.acceptance.run.StepResult;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Campaign stages as pods on fabric8's mock API server, with a stand-in for the scheduler and the
 * kubelet: gpu-1 runs its pod to the end and serves its log, gpu-2's pod is preempted, gpu-3 is
 * busy with a training pod before the stage starts, gpu-4's pod is never placed.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesStagesTest {

    static {
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    }

    private static final String NS = "pitwall-campaigns";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private Thread standIn;
    private volatile boolean running = true;
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    /** Each pod as created: its node, priority class and GPU limit. */
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void cluster() {
        for (String node : List.of("gpu-1", "gpu-2", "gpu-3", "gpu-4")) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().withNewStatus()
                    .addToAllocatable("nvidia.com/gpu", new Quantity("8")).endStatus().build()).create();
        }
        client.scheduling().v1().priorityClasses().resource(new PriorityClassBuilder().withNewMetadata()
                .withName("training").endMetadata().withValue(1000).build()).create();
        client.scheduling().v1().priorityClasses().resource(new PriorityClassBuilder().withNewMetadata()
                .withName("pitwall-idle").endMetadata().withValue(-10).build()).create();
        client.pods().inNamespace("research").resource(new PodBuilder().withNewMetadata().withName("llama-0")
                .withNamespace("research").endMetadata().withNewSpec().withNodeName("gpu-3").addNewContainer()
                .withName("train").withImage("train").withNewResources().addToLimits("nvidia.com/gpu", new Quantity("8"))
                .endResources().endContainer().endSpec().withNewStatus().withPhase("Running").endStatus().build()).create();
        standIn = Thread.ofPlatform().daemon().start(() -> {
            while (running) {
                try {
                    kubelet();
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // A pod deleted under the loop: the next pass sees the new state.
                }
            }
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        running = false;
        standIn.join();
    }

    private void kubelet() {
        for (Pod pod : client.pods().inNamespace(NS).list().getItems()) {
            String name = pod.getMetadata().getName();
            String node = pod.getSpec().getNodeSelector().get("kubernetes.io/hostname");
            if (!handled.add(name)) {
                continue;
            }
            seen.add(node + " " + pod.getSpec().getPriorityClassName() + " "
                    + pod.getSpec().getContainers().getFirst().getResources().getLimits().get("nvidia.com/gpu").getAmount());
            switch (node) {
                case "gpu-1" -> {
                    server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + name + "/log?pretty=false")
                            .andReturn(200, "=== pitwall step inventory ===\n<nvidia_smi_log/>\n=== pitwall exit 0 ===\n"
                                    + "=== pitwall step burn ===\nGPU 0: FAULTY\n=== pitwall exit 3 ===\n").always();
                    status(name, new PodStatusBuilder().withPhase("Succeeded").build());
                }
                case "gpu-2" -> status(name, new PodStatusBuilder().withPhase("Failed").addToConditions(
                        new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
                                .withReason("PreemptionByScheduler").build()).build());
                default -> {
                    // Never placed: the node's GPUs are not free.
                }
            }
        }
    }

    private void status(String name, io.fabric8.kubernetes.api.model.PodStatus status) {
        client.pods().inNamespace(NS).withName(name).editStatus(p -> {
            p.setStatus(status);
            return p;
        });
    }

    @Test
    void eachNodeGetsALowestPriorityPodWithAllItsGpusAndBusyPreemptedOrUnplacedNodesAreDeferred() throws Exception {
        CheckPlan stage = new CheckPlan("stress", "", "local", List.of(), List.of(
                new CheckPlan.Step("inventory", "nvidia-smi -q -x", "nvidia-smi.xml", Duration.ofSeconds(1)),
                new CheckPlan.Step("burn", "gpu_burn -d 'quick' 60", "gpu_burn.log", Duration.ofSeconds(1))));
        KubernetesStages stages = new KubernetesStages(client, NS, "registry.local/burn-in:1", Optional.empty(),
                Duration.ofSeconds(1), Duration.ofMillis(20), Clock.systemUTC());

        CheckRunner.RunRecord record = stages.run(stage, 2, List.of("gpu-1", "gpu-2", "gpu-3", "gpu-4"), Map.of(),
                dir.resolve("round-002/stress"));

        assertThat(record.runner()).isEqualTo(KubernetesStages.RUNNER);
        assertThat(record.deferred()).containsOnlyKeys("gpu-2", "gpu-3", "gpu-4");
        assertThat(record.deferred().get("gpu-2")).startsWith("preempted");
        assertThat(record.deferred().get("gpu-3")).isEqualTo("busy: research/llama-0 holds GPUs on it");
        assertThat(record.deferred().get("gpu-4")).startsWith("not started within");
        assertThat(record.results()).extracting(StepResult::node).containsOnly("gpu-1");
        assertThat(record.results()).extracting(StepResult::exitCode).containsExactly(0, 3);
        assertThat(Files.readString(dir.resolve("round-002/stress/gpu-1/gpu_burn.log"))).isEqualTo("GPU 0: FAULTY\n");
        assertThat(Files.isRegularFile(dir.resolve("round-002/stress/" + CheckRunner.RECORD))).isTrue();
        // Three pods (none on the busy node), each at the lowest class, asking for all eight GPUs, gone afterwards.
        assertThat(seen).containsExactlyInAnyOrder("gpu-1 pitwall-idle 8", "gpu-2 pitwall-idle 8", "gpu-4 pitwall-idle 8");
        assertThat(client.pods().inNamespace(NS).withLabel(ProbeSession.LABEL).list().getItems()).isEmpty();
    }

    @Test
    void thePodsScriptKeepsEachStepsOutputBetweenItsMarkersAndQuotesItsCommand() throws Exception {
        CheckPlan stage = new CheckPlan("s", "", "local", List.of(), List.of(
                new CheckPlan.Step("ib", "ib_write_bw -d mlx5_0 {peer}", "ib.log", Duration.ofSeconds(30)),
                new CheckPlan.Step("say", "echo 'it''s'", "say.log", Duration.ofSeconds(5))));
        String script = KubernetesStages.script(stage, "gpu-1", Map.of("gpu-1", "gpu-9"));
        assertThat(script).contains("timeout 30 sh -c 'ib_write_bw -d mlx5_0 gpu-9'")
                .contains("timeout 5 sh -c 'echo '\\''it'\\'''\\''s'\\'''");
        Process sh = new ProcessBuilder("sh", "-c", KubernetesStages.script(new CheckPlan("s", "", "local", List.of(),
                List.of(new CheckPlan.Step("say", "echo 'hi there'; exit 4", "say.log", Duration.ofSeconds(5)))),
                "gpu-1", Map.of())).redirectErrorStream(true).start();
        String log = new String(sh.getInputStream().readAllBytes());
        sh.waitFor();
        Files.createDirectories(dir.resolve("n"));
        List<StepResult> results = KubernetesStages.outputs(new CheckPlan("s", "", "local", List.of(),
                List.of(new CheckPlan.Step("say", "x", "say.log", Duration.ofSeconds(5)),
                        new CheckPlan.Step("never", "x", "never.log", Duration.ofSeconds(5)))), "gpu-1", log, dir.resolve("n"));
        assertThat(Files.readString(dir.resolve("n/say.log"))).isEqualTo("hi there\n");
        assertThat(results.get(0).exitCode()).isEqualTo(4);
        assertThat(results.get(1).ok()).isFalse();
        assertThat(results.get(1).error()).contains("no end for this step");
    }
}
