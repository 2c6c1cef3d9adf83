package dev.pitwall.acceptance.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.probe.StandInScheduler.Behaviour;
import dev.pitwall.acceptance.probe.StandInScheduler.Kind;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The live probes against fabric8's mock API server, with a stand-in scheduler writing what
 * Volcano or Kueue write. Five 8-GPU nodes: n1 and n4 in rack a, n2 and n3 in rack b (first
 * fit by name splits a pair across racks), n5 busy with a training pod.
 */
@EnableKubernetesMockClient(crud = true)
class SchedulerProbesTest {

    static final String RACK = "topology.pitwall.dev/rack";

    static {
        // The mock server logs every request at INFO; the probes poll, so that is thousands of lines.
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    }

    KubernetesClient client;
    StandInScheduler scheduler;
    /** Every probe pod the scheduler saw, to check its priority class after the run deleted it. */
    final List<Pod> created = new ArrayList<>();

    @BeforeEach
    void cluster() {
        Map<String, String> racks = Map.of("n1", "a", "n2", "b", "n3", "b", "n4", "a", "n5", "b");
        racks.forEach((name, rack) -> client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                .addToLabels(RACK, rack).addToLabels("kubernetes.io/hostname", name).endMetadata()
                .withNewStatus().addToAllocatable(ProbeSession.GPU, new Quantity("8"))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create());
        client.pods().inNamespace("training").resource(new PodBuilder().withNewMetadata().withName("llama-0")
                .endMetadata().withNewSpec().withNodeName("n5").addNewContainer().withName("train").withImage("trainer")
                .withNewResources().addToLimits(ProbeSession.GPU, new Quantity("8")).endResources().endContainer()
                .endSpec().withNewStatus().withPhase("Running").endStatus().build()).create();
        for (var pc : List.of(Map.entry("batch-low", -10), Map.entry("training-high", 100_000))) {
            client.scheduling().v1().priorityClasses().resource(new PriorityClassBuilder().withNewMetadata()
                    .withName(pc.getKey()).endMetadata().withValue(pc.getValue()).build()).create();
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private List<Finding> probe(Kind kind, Behaviour behaviour, SchedulerProbes.Settings settings) {
        scheduler = new StandInScheduler(client, kind, behaviour, RACK);
        GangScheduler asked = kind == Kind.VOLCANO ? new VolcanoScheduler("volcano") : new KueueScheduler(Optional.empty());
        try (ProbeSession session = new ProbeSession(client, "pitwall-probes", "t1", Optional.empty(),
                Duration.ofMinutes(2), Duration.ofMillis(10), Clock.systemUTC())) {
            return new SchedulerProbes(asked, settings).run(session);
        } finally {
            created.addAll(scheduler.seen());
        }
    }

    private static SchedulerProbes.Settings settings() {
        return new SchedulerProbes.Settings("registry.k8s.io/pause:3.10", Duration.ofSeconds(5), Duration.ofSeconds(2), Optional.of(RACK),
                Optional.empty(), 2, Set.of());
    }

    private static Map<String, Finding> byProbe(List<Finding> findings) {
        return findings.stream().collect(Collectors.toMap(f -> f.check().replace("scheduler.probe.", ""), f -> f));
    }

    @Test
    void aCorrectVolcanoPassesEveryProbeAndTheRunLeavesNothingBehind() {
        Map<String, Finding> found = byProbe(probe(Kind.VOLCANO, Behaviour.correct(), settings()));

        assertThat(found.keySet()).containsExactlyInAnyOrderElementsOf(SchedulerProbes.ALL);
        assertThat(found.values()).allSatisfy(f -> assertThat(f.verdict()).as(f.check() + ": " + f.detail())
                .isEqualTo(Verdict.PASS));
        assertThat(found.get("whole_node").detail()).contains("landed alone on n1 (8 of 8 GPUs)");
        assertThat(found.get("gang").detail()).contains("(n1, n2)");
        assertThat(found.get("gang_unfittable").detail()).contains("a 6 × 8-GPU gang (more than the 5 GPU nodes hold)")
                .contains("PodGroup pitwall-t1-unfittable Unschedulable (NotEnoughResources)");
        assertThat(found.get("topology").detail()).contains("n1 (" + RACK + "=a), n4 (" + RACK + "=a)");
        assertThat(found.get("quota").detail()).contains("waited (PodGroup pitwall-t1-quota-second Unschedulable")
                .contains("placed on n");
        assertThat(found.get("fair_share").value()).isEqualTo("Jain 1.00");

        // Lowest priority class, never the training one; everything labelled and gone afterwards.
        assertThat(created).isNotEmpty().allSatisfy(p -> {
            assertThat(p.getSpec().getPriorityClassName()).isEqualTo("batch-low");
            assertThat(p.getMetadata().getLabels()).containsEntry(ProbeSession.LABEL, "t1");
        });
        assertThat(client.pods().inNamespace("pitwall-probes").list().getItems()).isEmpty();
        assertThat(client.genericKubernetesResources(VolcanoScheduler.POD_GROUPS).inAnyNamespace().list().getItems())
                .isEmpty();
        assertThat(client.genericKubernetesResources(VolcanoScheduler.QUEUES).list().getItems()).isEmpty();
        assertThat(client.pods().inNamespace("training").withName("llama-0").get()).isNotNull();
    }

    @Test
    void aCorrectKueuePassesEveryProbeOnItsOwnObjects() {
        Map<String, Finding> found = byProbe(probe(Kind.KUEUE, Behaviour.correct(), settings()));

        assertThat(found.values()).allSatisfy(f -> assertThat(f.verdict()).as(f.check() + ": " + f.detail())
                .isEqualTo(Verdict.PASS));
        assertThat(found.get("gang_unfittable").detail())
                .contains("Workload pitwall-t1-unfittable QuotaReserved=False (Pending)");
        assertThat(found.get("quota").detail()).contains("Workload pitwall-t1-quota-second QuotaReserved=False");
        assertThat(client.genericKubernetesResources(KueueScheduler.CLUSTER_QUEUES).list().getItems()).isEmpty();
        assertThat(client.genericKubernetesResources(KueueScheduler.LOCAL_QUEUES).inAnyNamespace().list().getItems())
                .isEmpty();
        assertThat(client.genericKubernetesResources(KueueScheduler.FLAVORS).list().getItems()).isEmpty();
    }

    @Test
    void aSchedulerWithoutGangsStartsPartOfAGangThatCannotFit() {
        Map<String, Finding> found = byProbe(probe(Kind.VOLCANO, new Behaviour(false, true, true, true), settings()));

        Finding unfittable = found.get("gang_unfittable");
        assertThat(unfittable.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(unfittable.value()).endsWith("of 6 started").doesNotStartWith("0 ");
        assertThat(unfittable.detail()).contains("they hold GPUs the gang can never use");
    }

    @Test
    void aSchedulerBlindToTopologySplitsTheGangAcrossRacks() {
        Map<String, Finding> found = byProbe(probe(Kind.VOLCANO, new Behaviour(true, false, true, true), settings()));

        assertThat(found.get("topology").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(found.get("topology").detail()).contains("was split: n1 (" + RACK + "=a), n2 (" + RACK + "=b)");
        assertThat(found.get("gang").verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void aQuotaNotEnforcedAdmitsTheSecondJobAtOnce() {
        Map<String, Finding> found = byProbe(probe(Kind.KUEUE, new Behaviour(true, true, false, true), settings()));

        assertThat(found.get("quota").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(found.get("quota").value()).isEqualTo("over quota admitted");
        assertThat(found.get("quota").detail()).contains("the queue's quota is not enforced");
    }

    @Test
    void aFirstComeFirstServedSchedulerNeverGivesTheSecondQueueItsShare() {
        Map<String, Finding> found = byProbe(probe(Kind.VOLCANO, new Behaviour(true, true, true, false), settings()));

        Finding fair = found.get("fair_share");
        assertThat(fair.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(fair.value()).isEqualTo("Jain 0.50");
        assertThat(fair.detail()).contains("running per round A:B 16:0, 16:0, 16:0");
    }

    @Test
    void probesThatNeedIdleNodesSayWhyTheyDidNotRunOnABusyCluster() {
        for (String node : List.of("n1", "n2", "n3", "n4")) {
            client.pods().inNamespace("training").resource(new PodBuilder().withNewMetadata().withName("job-" + node)
                    .endMetadata().withNewSpec().withNodeName(node).addNewContainer().withName("train").withImage("t")
                    .withNewResources().addToLimits(ProbeSession.GPU, new Quantity(node.equals("n1") ? "4" : "8"))
                    .endResources().endContainer().endSpec().build()).create();
        }
        Map<String, Finding> found = byProbe(probe(Kind.VOLCANO, Behaviour.correct(), settings()));

        for (String probe : List.of("whole_node", "gang", "topology", "quota", "fair_share")) {
            assertThat(found.get(probe).verdict()).as(probe).isEqualTo(Verdict.WARN);
            assertThat(found.get(probe).value()).isEqualTo("not run");
        }
        assertThat(found.get("whole_node").detail()).contains("0 idle of 5 schedulable GPU nodes")
                .contains("n1 4/8");
        // The gang bigger than the cluster needs no idle node: it is still probed.
        assertThat(found.get("gang_unfittable").verdict()).isEqualTo(Verdict.PASS);
        assertThat(created).noneMatch(p -> p.getMetadata().getName().contains("whole-node"));
    }

    @Test
    void withoutATopologyLabelTheTopologyProbeSaysWhatToGive() {
        SchedulerProbes.Settings s = settings();
        SchedulerProbes.Settings noLabel = new SchedulerProbes.Settings(s.image(), s.probeTimeout(), s.holdWindow(),
                Optional.empty(), Optional.empty(), 1, Set.of("topology", "whole_node"));
        List<Finding> found = probe(Kind.VOLCANO, Behaviour.correct(), noLabel);

        assertThat(found).extracting(Finding::check).containsExactly("scheduler.probe.whole_node",
                "scheduler.probe.topology");
        assertThat(found.get(1).verdict()).isEqualTo(Verdict.WARN);
        assertThat(found.get(1).detail()).contains("give the node label of the domain");
    }

    @Test
    void jainsIndexOfTwoShares() {
        assertThat(SchedulerProbes.jain(8, 8)).isEqualTo(1.0);
        assertThat(SchedulerProbes.jain(16, 0)).isEqualTo(0.5);
        assertThat(SchedulerProbes.jain(12, 4)).isEqualTo(0.8);
        List<Double> ok = new ArrayList<>();
        for (int a = 0; a <= 16; a++) {
            if (SchedulerProbes.jain(a, 16 - a) >= SchedulerProbes.FAIR_INDEX) {
                ok.add((double) a);
            }
        }
        assertThat(ok).containsExactly(7.0, 8.0, 9.0);
    }
}
