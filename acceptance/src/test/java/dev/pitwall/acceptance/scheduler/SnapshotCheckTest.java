package dev.pitwall.acceptance.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-built snapshots in kubectl's JSON, one per way scheduling goes wrong, each found, and a
 * healthy one with nothing to say.
 */
class SnapshotCheckTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @TempDir
    Path dir;

    private final List<ObjectNode> nodes = new ArrayList<>();
    private final List<ObjectNode> pods = new ArrayList<>();
    private final List<ObjectNode> groups = new ArrayList<>();
    private final List<ObjectNode> topologies = new ArrayList<>();
    private final List<ObjectNode> hyperNodes = new ArrayList<>();
    private final List<ObjectNode> queues = new ArrayList<>();

    /** Four 8-GPU nodes, two racks of two in one block, a Topology naming both levels. */
    private void healthyCluster() {
        for (int i = 1; i <= 4; i++) {
            node("gpu-a0" + i, 8, Map.of("example.com/block", "b1", "example.com/rack", i <= 2 ? "r1" : "r2"));
        }
        topology("gpu", "example.com/block", "example.com/rack");
    }

    @Test
    void aHealthySnapshotHasNothingToSay() throws Exception {
        healthyCluster();
        groups.add(podGroup("train", "llama", 2));
        pods.add(pod("llama-0", "train", 8, "Running", "gpu-a01", NOW.minusSeconds(3600), Map.of(SnapshotCheck.VOLCANO_GROUP, "llama"), Map.of()));
        pods.add(pod("llama-1", "train", 8, "Running", "gpu-a02", NOW.minusSeconds(3600), Map.of(SnapshotCheck.VOLCANO_GROUP, "llama"), Map.of()));
        // A gang starting up: partly running for a minute, within the timeout.
        for (int i = 0; i < 2; i++) {
            pods.add(pod("eval-" + i, "train", 4, i == 0 ? "Running" : "Pending", i == 0 ? "gpu-a03" : "",
                    i == 0 ? NOW.minusSeconds(60) : null, Map.of(), Map.of(SnapshotCheck.KUEUE_GROUP, "eval")));
        }
        pods.add(pod("notebook", "dev", 2, "Pending", "", null, Map.of(), Map.of()));
        assertThat(check()).isEmpty();
    }

    @Test
    void aVolcanoGangLargerThanTheClusterNeverFits() throws Exception {
        healthyCluster();
        groups.add(podGroup("train", "huge", 5));
        for (int i = 0; i < 5; i++) {
            pods.add(pod("huge-" + i, "train", 8, "Pending", "", null, Map.of(SnapshotCheck.VOLCANO_GROUP, "huge"), Map.of()));
        }
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("scheduler.gang_never_fits");
            assertThat(f.value()).isEqualTo("5 × 8 GPUs = 40");
        });
    }

    @Test
    void aKueueGangRequiredInOneRackNeverFitsWhereTheClusterWould() throws Exception {
        healthyCluster();
        for (int i = 0; i < 3; i++) {
            pods.add(pod("rack-" + i, "train", 8, "Pending", "", null, Map.of(SnapshotCheck.KUEUE_COUNT, "3",
                    SnapshotCheck.KUEUE_TOPOLOGY, "example.com/rack"), Map.of(SnapshotCheck.KUEUE_GROUP, "rack")));
        }
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("scheduler.gang_never_fits");
            assertThat(f.expected()).contains("16 GPUs").contains("example.com/rack");
        });
    }

    @Test
    void aPodAskingMoreThanAnyNodeHasNeverFits() throws Exception {
        healthyCluster();
        groups.add(podGroup("train", "wide", 1));
        pods.add(pod("wide-0", "train", 16, "Pending", "", null, Map.of(SnapshotCheck.VOLCANO_GROUP, "wide"), Map.of()));
        // Not fragmentation either: no node could hold it even empty.
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.expected()).contains("largest node");
            assertThat(f.detail()).contains("no schedulable node has more than 8");
        });
    }

    @Test
    void cordonedNodesAreNotRoomAGangCanCountOn() throws Exception {
        healthyCluster();
        nodes.get(3).putObject("spec").put("unschedulable", true);
        groups.add(podGroup("train", "four", 4));
        for (int i = 0; i < 4; i++) {
            pods.add(pod("four-" + i, "train", 8, "Pending", "", null, Map.of(SnapshotCheck.VOLCANO_GROUP, "four"), Map.of()));
        }
        assertThat(check()).extracting(Finding::check).containsExactly("scheduler.gang_never_fits");
    }

    @Test
    void volcanoAndKueueGangsRunningPartlyPastTheTimeoutAreFound() throws Exception {
        healthyCluster();
        groups.add(podGroup("train", "stalled", 3));
        pods.add(pod("stalled-0", "train", 8, "Running", "gpu-a01", NOW.minusSeconds(900), Map.of(SnapshotCheck.VOLCANO_GROUP, "stalled"), Map.of()));
        pods.add(pod("stalled-1", "train", 8, "Pending", "", null, Map.of(SnapshotCheck.VOLCANO_GROUP, "stalled"), Map.of()));
        pods.add(pod("half-0", "train", 4, "Running", "gpu-a03", NOW.minusSeconds(1200), Map.of(SnapshotCheck.KUEUE_COUNT, "2"), Map.of(SnapshotCheck.KUEUE_GROUP, "half")));
        pods.add(pod("half-1", "train", 4, "Pending", "", null, Map.of(SnapshotCheck.KUEUE_COUNT, "2"), Map.of(SnapshotCheck.KUEUE_GROUP, "half")));
        assertThat(check()).filteredOn(f -> f.check().equals("scheduler.partial_gang")).extracting(Finding::node)
                .containsExactlyInAnyOrder("train/stalled", "train/half");
    }

    @Test
    void twoGangsEachHoldingPartOfWhatTheyNeedBlockEachOther() throws Exception {
        for (int i = 1; i <= 2; i++) {
            node("gpu-b0" + i, 8, Map.of());
        }
        for (String gang : List.of("left", "right")) {
            groups.add(podGroup("train", gang, 2));
            pods.add(pod(gang + "-0", "train", 8, "Running", gang.equals("left") ? "gpu-b01" : "gpu-b02",
                    NOW.minusSeconds(60), Map.of(SnapshotCheck.VOLCANO_GROUP, gang), Map.of()));
            pods.add(pod(gang + "-1", "train", 8, "Pending", "", null, Map.of(SnapshotCheck.VOLCANO_GROUP, gang), Map.of()));
        }
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("scheduler.gangs_blocked");
            assertThat(f.value()).contains("train/left (1/2)", "train/right (1/2)");
        });
    }

    @Test
    void aNodeWithoutALevelsLabelIsFound() throws Exception {
        healthyCluster();
        node("gpu-a05", 8, Map.of("example.com/block", "b1"));
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("scheduler.topology_label_missing");
            assertThat(f.node()).isEqualTo("gpu-a05");
        });
    }

    @Test
    void aRackUnderTwoBlocksIsNotATree() throws Exception {
        healthyCluster();
        node("gpu-a05", 8, Map.of("example.com/block", "b2", "example.com/rack", "r2"));
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("scheduler.topology_not_a_tree");
            assertThat(f.value()).isEqualTo("example.com/rack=r2 under b1 and b2");
        });
    }

    @Test
    void volcanoHyperNodesThatAreATreeSayNothingAndEveryBreakOfOneIsFound() throws Exception {
        healthyCluster();
        hyperNode("s0", 1, "Node", "gpu-a01", "gpu-a02");
        hyperNodes.getLast().withObject("spec").withArray("members").addObject().put("type", "Node")
                .putObject("selector").putObject("regexMatch").put("pattern", "gpu-a0[34]");
        hyperNode("s1", 2, "HyperNode", "s0");
        assertThat(check()).isEmpty();

        hyperNode("s2", 1, "Node", "gpu-a02");   // gpu-a02 now under two tier-1 HyperNodes
        node("gpu-a05", 8, Map.of("example.com/block", "b1", "example.com/rack", "r2")); // in none
        hyperNode("s3", 2, "HyperNode", "s0");   // s0 under two tier-2 HyperNodes
        assertThat(check()).extracting(Finding::check, Finding::node).containsExactlyInAnyOrder(
                tuple("scheduler.topology_not_a_tree", "gpu-a02"),
                tuple("scheduler.hypernode_missing", "gpu-a05"),
                tuple("scheduler.topology_not_a_tree", "cluster"));
    }

    @Test
    void freeGpusOnlyInPiecesSmallerThanAnyPendingPodAreFragmentation() throws Exception {
        healthyCluster();
        for (int i = 1; i <= 4; i++) {
            pods.add(pod("small-" + i, "dev", 6, "Running", "gpu-a0" + i, NOW.minusSeconds(60), Map.of(), Map.of()));
        }
        pods.add(pod("needs-four", "dev", 4, "Pending", "", null, Map.of(), Map.of()));
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("scheduler.fragmented");
            assertThat(f.value()).isEqualTo("8 GPUs free, at most 2 on one node");
        });
    }

    @Test
    void aPendingPodThatDoesNotFitForLackOfGpusIsNotFragmentation() throws Exception {
        healthyCluster();
        for (int i = 1; i <= 4; i++) {
            pods.add(pod("full-" + i, "dev", 7, "Running", "gpu-a0" + i, NOW.minusSeconds(60), Map.of(), Map.of()));
        }
        pods.add(pod("needs-eight", "dev", 8, "Pending", "", null, Map.of(), Map.of()));
        assertThat(check()).isEmpty();
    }

    @Test
    void aFileThatIsNotKubectlJsonIsSaidAndTheRestStillRead() throws Exception {
        healthyCluster();
        groups.add(podGroup("train", "huge", 5));
        for (int i = 0; i < 5; i++) {
            pods.add(pod("huge-" + i, "train", 8, "Pending", "", null, Map.of(SnapshotCheck.VOLCANO_GROUP, "huge"), Map.of()));
        }
        write();
        Files.writeString(dir.resolve("events.json"), "{\"kind\":\"Event\",\"metadata\":{\"name\":\"e\"}}");
        Files.writeString(dir.resolve("broken.json"), "{\"items\": [");
        List<Finding> findings = new SnapshotCheck(Duration.ofMinutes(5)).check(SchedulerSnapshot.read(dir), NOW);
        assertThat(findings).extracting(Finding::check).containsExactlyInAnyOrder("scheduler.unread",
                "scheduler.unread", "scheduler.gang_never_fits");
    }

    @Test
    void queuesWithinTheirQuotasHaveNothingToSay() throws Exception {
        healthyCluster();
        volcanoQueue("research", 16);
        groups.add(podGroup("train", "pair", 2));
        ((ObjectNode) groups.getLast().path("spec")).put("queue", "research");
        for (int i = 0; i < 2; i++) {
            pods.add(pod("pair-" + i, "train", 8, "Pending", "", null, Map.of(SnapshotCheck.VOLCANO_GROUP, "pair"), Map.of()));
        }
        clusterQueue("team-a", 16, "shared", null);
        localQueue("train", "a", "team-a");
        for (int i = 0; i < 2; i++) {
            pods.add(pod("k-" + i, "train", 8, "Pending", "", null, Map.of(SnapshotCheck.KUEUE_COUNT, "2"),
                    Map.of(SnapshotCheck.KUEUE_GROUP, "k", SnapshotCheck.KUEUE_QUEUE, "a")));
        }
        assertThat(check()).isEmpty();
    }

    @Test
    void aVolcanoGangOverItsQueuesCapabilityIsNeverAdmitted() throws Exception {
        healthyCluster();
        volcanoQueue("research", 16);
        groups.add(podGroup("train", "trio", 3));
        ((ObjectNode) groups.getLast().path("spec")).put("queue", "research");
        for (int i = 0; i < 3; i++) {
            pods.add(pod("trio-" + i, "train", 8, "Pending", "", null, Map.of(SnapshotCheck.VOLCANO_GROUP, "trio"), Map.of()));
        }
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("scheduler.gang_over_quota");
            assertThat(f.expected()).isEqualTo("at most 16 GPUs (Queue research)");
            assertThat(f.detail()).contains("capability 16 GPUs");
        });
    }

    @Test
    void aKueueGangOverItsQuotaAndWhatItsCohortLendsIsNeverAdmitted() throws Exception {
        healthyCluster();
        // team-a: 8 of its own, may borrow at most 8 of team-b's 16: 16 in all; the gang needs 24.
        clusterQueue("team-a", 8, "shared", 8);
        clusterQueue("team-b", 16, "shared", null);
        localQueue("train", "a", "team-a");
        for (int i = 0; i < 3; i++) {
            pods.add(pod("big-" + i, "train", 8, "Pending", "", null, Map.of(SnapshotCheck.KUEUE_COUNT, "3"),
                    Map.of(SnapshotCheck.KUEUE_GROUP, "big", SnapshotCheck.KUEUE_QUEUE, "a")));
        }
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("scheduler.gang_over_quota");
            assertThat(f.value()).isEqualTo("3 × 8 GPUs = 24");
            assertThat(f.detail()).contains("nominal quota 8 GPUs, borrowing up to 8 from cohort shared");
        });
    }

    @Test
    void gangsNamingAQueueThatIsNotThereAreNeverAdmitted() throws Exception {
        healthyCluster();
        clusterQueue("team-a", 16, "", null);
        localQueue("train", "a", "team-a");
        pods.add(pod("lost-0", "train", 8, "Pending", "", null, Map.of(SnapshotCheck.KUEUE_COUNT, "1"),
                Map.of(SnapshotCheck.KUEUE_GROUP, "lost", SnapshotCheck.KUEUE_QUEUE, "typo")));
        volcanoQueue("research", 16);
        groups.add(podGroup("train", "astray", 1));
        pods.add(pod("astray-0", "train", 8, "Pending", "", null, Map.of(SnapshotCheck.VOLCANO_GROUP, "astray"), Map.of()));
        assertThat(check()).extracting(Finding::check, Finding::value).containsExactlyInAnyOrder(
                tuple("scheduler.queue_missing", "Queue default"),
                tuple("scheduler.queue_missing", "LocalQueue train/typo"));
        assertThat(check()).anySatisfy(f -> assertThat(f.detail()).contains("its pods stay gated"));
    }

    @Test
    void aClusterQueueWhoseQuotaIsAboveTheClustersGpusIsAWarning() throws Exception {
        healthyCluster();
        clusterQueue("everything", 64, "", null);
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("scheduler.quota_above_capacity");
            assertThat(f.value()).isEqualTo("64 GPUs");
            assertThat(f.expected()).contains("32 GPUs");
        });
    }

    private List<Finding> check() throws IOException {
        write();
        return new SnapshotCheck(Duration.ofMinutes(5)).check(SchedulerSnapshot.read(dir), NOW);
    }

    private void write() throws IOException {
        for (Map.Entry<String, List<ObjectNode>> kind : Map.of("nodes", nodes, "pods", pods, "podgroups", groups,
                "topologies", topologies, "hypernodes", hyperNodes, "queues", queues).entrySet()) {
            ObjectNode list = Json.mapper().createObjectNode().put("apiVersion", "v1").put("kind", "List");
            ArrayNode items = list.putArray("items");
            kind.getValue().forEach(items::add);
            Files.writeString(dir.resolve(kind.getKey() + ".json"), list.toPrettyString());
        }
    }

    private void node(String name, int gpus, Map<String, String> labels) {
        ObjectNode node = Json.mapper().createObjectNode().put("apiVersion", "v1").put("kind", "Node");
        ObjectNode meta = node.putObject("metadata").put("name", name);
        ObjectNode l = meta.putObject("labels").put("kubernetes.io/hostname", name);
        labels.forEach(l::put);
        node.putObject("status").putObject("allocatable").put("cpu", "192").put("nvidia.com/gpu", String.valueOf(gpus));
        nodes.add(node);
    }

    private void topology(String name, String... levels) {
        ObjectNode t = Json.mapper().createObjectNode().put("apiVersion", "kueue.x-k8s.io/v1alpha1").put("kind", "Topology");
        t.putObject("metadata").put("name", name);
        ArrayNode l = t.putObject("spec").putArray("levels");
        for (String level : levels) {
            l.addObject().put("nodeLabel", level);
        }
        topologies.add(t);
    }

    private void hyperNode(String name, int tier, String type, String... members) {
        ObjectNode h = Json.mapper().createObjectNode().put("apiVersion", "topology.volcano.sh/v1alpha1")
                .put("kind", "HyperNode");
        h.putObject("metadata").put("name", name);
        ObjectNode spec = h.putObject("spec").put("tier", tier);
        ArrayNode m = spec.putArray("members");
        for (String member : members) {
            m.addObject().put("type", type).putObject("selector").putObject("exactMatch").put("name", member);
        }
        hyperNodes.add(h);
    }

    private void volcanoQueue(String name, int gpus) {
        ObjectNode q = Json.mapper().createObjectNode().put("apiVersion", "scheduling.volcano.sh/v1beta1").put("kind", "Queue");
        q.putObject("metadata").put("name", name);
        q.putObject("spec").put("weight", 1).putObject("capability").put("nvidia.com/gpu", String.valueOf(gpus));
        queues.add(q);
    }

    private void clusterQueue(String name, int gpus, String cohort, Integer borrowingLimit) {
        ObjectNode q = Json.mapper().createObjectNode().put("apiVersion", "kueue.x-k8s.io/v1beta1").put("kind", "ClusterQueue");
        q.putObject("metadata").put("name", name);
        ObjectNode spec = q.putObject("spec");
        if (!cohort.isEmpty()) {
            spec.put("cohort", cohort);
        }
        ObjectNode group = spec.putArray("resourceGroups").addObject();
        group.putArray("coveredResources").add("cpu").add("nvidia.com/gpu");
        ObjectNode flavor = group.putArray("flavors").addObject().put("name", "h100");
        ArrayNode resources = flavor.putArray("resources");
        resources.addObject().put("name", "cpu").put("nominalQuota", "512");
        ObjectNode gpu = resources.addObject().put("name", "nvidia.com/gpu").put("nominalQuota", String.valueOf(gpus));
        if (borrowingLimit != null) {
            gpu.put("borrowingLimit", String.valueOf(borrowingLimit));
        }
        queues.add(q);
    }

    private void localQueue(String namespace, String name, String clusterQueue) {
        ObjectNode q = Json.mapper().createObjectNode().put("apiVersion", "kueue.x-k8s.io/v1beta1").put("kind", "LocalQueue");
        q.putObject("metadata").put("name", name).put("namespace", namespace);
        q.putObject("spec").put("clusterQueue", clusterQueue);
        queues.add(q);
    }

    private static ObjectNode podGroup(String namespace, String name, int minMember) {
        ObjectNode g = Json.mapper().createObjectNode().put("apiVersion", "scheduling.volcano.sh/v1beta1").put("kind", "PodGroup");
        g.putObject("metadata").put("name", name).put("namespace", namespace);
        g.putObject("spec").put("minMember", minMember).put("queue", "default");
        g.putObject("status").put("phase", "Pending");
        return g;
    }

    private static ObjectNode pod(String name, String namespace, int gpus, String phase, String node, Instant started,
                                  Map<String, String> annotations, Map<String, String> labels) {
        ObjectNode p = Json.mapper().createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode meta = p.putObject("metadata").put("name", name).put("namespace", namespace)
                .put("creationTimestamp", NOW.minusSeconds(7200).toString());
        ObjectNode a = meta.putObject("annotations");
        annotations.forEach(a::put);
        ObjectNode l = meta.putObject("labels");
        labels.forEach(l::put);
        ObjectNode spec = p.putObject("spec");
        if (!node.isEmpty()) {
            spec.put("nodeName", node);
        }
        spec.putArray("containers").addObject().put("name", "main").putObject("resources").putObject("limits")
                .put("nvidia.com/gpu", String.valueOf(gpus));
        ObjectNode status = p.putObject("status").put("phase", phase);
        if (started != null) {
            status.put("startTime", started.toString());
        }
        return p;
    }
}
