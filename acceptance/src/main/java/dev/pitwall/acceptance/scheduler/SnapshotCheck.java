package dev.pitwall.acceptance.scheduler;

import static dev.pitwall.acceptance.scheduler.SchedulerSnapshot.allocatableGpus;
import static dev.pitwall.acceptance.scheduler.SchedulerSnapshot.annotation;
import static dev.pitwall.acceptance.scheduler.SchedulerSnapshot.label;
import static dev.pitwall.acceptance.scheduler.SchedulerSnapshot.name;
import static dev.pitwall.acceptance.scheduler.SchedulerSnapshot.namespace;
import static dev.pitwall.acceptance.scheduler.SchedulerSnapshot.requestedGpus;
import static dev.pitwall.acceptance.scheduler.SchedulerSnapshot.startTime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a scheduling snapshot says is wrong, without touching the cluster: gangs that can never
 * fit (their members times their request above the largest domain they may use), gangs partly
 * running past their timeout, gangs blocking each other (each partly placed, none able to
 * finish on what is free), topologies (Kueue's levels, Volcano's HyperNodes) that are not a
 * strict tree or nodes missing from them, and free GPUs left only in pieces smaller than any pending pod asks. Gangs are Volcano
 * PodGroups ({@code minMember}; pods annotated {@code scheduling.k8s.io/group-name}) and Kueue
 * pod groups (label {@code kueue.x-k8s.io/pod-group-name}, size
 * {@code kueue.x-k8s.io/pod-group-total-count}, topology {@code kueue.x-k8s.io/podset-required-topology}).
 * With queues in the snapshot (Volcano Queues; Kueue ClusterQueues and LocalQueues), gangs over
 * their queue's quota, gangs naming a queue that is not there, and Kueue quotas above the
 * cluster's GPUs are found too.
 */
public final class SnapshotCheck {

    static final String VOLCANO_GROUP = "scheduling.k8s.io/group-name";
    static final String KUEUE_GROUP = "kueue.x-k8s.io/pod-group-name";
    static final String KUEUE_COUNT = "kueue.x-k8s.io/pod-group-total-count";
    static final String KUEUE_TOPOLOGY = "kueue.x-k8s.io/podset-required-topology";
    static final String KUEUE_QUEUE = "kueue.x-k8s.io/queue-name";

    private final Duration gangTimeout;

    /** @param gangTimeout how long a gang may run partly before it is a finding (Kueue's waitForPodsReady default is 5m) */
    public SnapshotCheck(Duration gangTimeout) {
        this.gangTimeout = gangTimeout;
    }

    /** A gang: its members must all run, or none. */
    record Gang(String kind, String name, int size, int gpusPerPod, List<JsonNode> members, String requiredLevel,
                String queue) {

        boolean kueue() {
            return kind.startsWith("Kueue");
        }


        long running() {
            return members.stream().filter(p -> p.path("status").path("phase").asText().equals("Running")).count();
        }

        boolean partial() {
            long running = running();
            return running > 0 && running < size;
        }
    }

    /** @param now when the snapshot was taken: partial gangs' running time is counted to it */
    public List<Finding> check(SchedulerSnapshot snapshot, Instant now) {
        List<Finding> findings = new ArrayList<>();
        snapshot.unread().forEach((file, why) -> findings.add(new Finding("cluster", "scheduler.unread", Verdict.WARN,
                file, "kubectl JSON of nodes, pods, podgroups or topologies", file + ": " + why)));
        List<JsonNode> schedulable = snapshot.nodes().stream()
                .filter(n -> !n.path("spec").path("unschedulable").asBoolean(false)).toList();
        Map<String, Integer> free = freeGpus(snapshot, schedulable);
        long totalFree = free.values().stream().mapToLong(Integer::longValue).sum();
        List<Gang> gangs = gangs(snapshot);
        QueueQuotas quotas = new QueueQuotas(snapshot);
        for (Gang gang : gangs) {
            neverFits(gang, schedulable, findings);
            overQuota(gang, quotas, findings);
            if (gang.partial()) {
                Instant first = gang.members().stream().map(SchedulerSnapshot::startTime).filter(Objects::nonNull)
                        .min(Instant::compareTo).orElse(null);
                if (first != null && Duration.between(first, now).compareTo(gangTimeout) > 0) {
                    findings.add(new Finding(gang.name(), "scheduler.partial_gang", Verdict.FAIL,
                            gang.running() + " of " + gang.size() + " running for "
                                    + Duration.between(first, now).toMinutes() + " min",
                            "all " + gang.size() + " within " + gangTimeout.toMinutes() + " min",
                            gang.kind() + " " + gang.name() + " has run partly past the gang timeout: its running pods "
                                    + "hold GPUs and do no work (evict it, or check why the rest cannot be placed)"));
                }
            }
        }
        List<Gang> stuck = gangs.stream().filter(Gang::partial)
                .filter(g -> (g.size() - g.running()) * g.gpusPerPod() > totalFree).toList();
        if (stuck.size() >= 2) {
            List<String> names = stuck.stream().map(g -> g.name() + " (" + g.running() + "/" + g.size() + ")").toList();
            findings.add(new Finding("cluster", "scheduler.gangs_blocked", Verdict.FAIL, String.join(", ", names),
                    "a gang that can finish", stuck.size() + " gangs each hold part of what they need and none can "
                    + "finish on the " + totalFree + " GPUs free: a deadlock that gang scheduling (all-or-nothing "
                    + "admission) prevents"));
        }
        quotasAboveCapacity(snapshot, quotas, schedulable, findings);
        topology(snapshot, findings);
        hyperNodes(snapshot, findings);
        int largestNode = schedulable.stream().mapToInt(SchedulerSnapshot::allocatableGpus).max().orElse(0);
        fragmentation(snapshot, free, totalFree, largestNode, findings);
        return findings;
    }

    /** A gang its queue can never admit: more GPUs than the queue may ever hold, or a queue that is not there. */
    private static void overQuota(Gang gang, QueueQuotas quotas, List<Finding> findings) {
        if (gang.queue().isEmpty() || !quotas.knows(gang.kueue())) {
            return;
        }
        Optional<QueueQuotas.Limit> limit;
        if (gang.kueue()) {
            Optional<String> clusterQueue = quotas.clusterQueueOf(gang.queue());
            if (clusterQueue.isEmpty()) {
                findings.add(new Finding(gang.name(), "scheduler.queue_missing", Verdict.FAIL, "LocalQueue " + gang.queue(),
                        "an existing LocalQueue", gang.kind() + " " + gang.name() + " names LocalQueue " + gang.queue()
                        + ", which the snapshot does not hold: Kueue never admits it and its pods stay gated"));
                return;
            }
            limit = quotas.kueue(clusterQueue.get());
        } else {
            if (!quotas.hasVolcanoQueue(gang.queue())) {
                findings.add(new Finding(gang.name(), "scheduler.queue_missing", Verdict.FAIL, "Queue " + gang.queue(),
                        "an existing Queue", gang.kind() + " " + gang.name() + " names Queue " + gang.queue()
                        + ", which the snapshot does not hold: Volcano does not enqueue it"));
                return;
            }
            limit = quotas.volcano(gang.queue());
        }
        int need = gang.size() * gang.gpusPerPod();
        limit.filter(l -> need > 0 && (!l.covers() || need > l.ceiling())).ifPresent(l -> findings.add(new Finding(
                gang.name(), "scheduler.gang_over_quota", Verdict.FAIL, gang.size() + " × " + gang.gpusPerPod()
                + " GPUs = " + need, l.covers() ? "at most " + l.ceiling() + " GPUs (" + l.queue() + ")"
                : l.queue() + " covering nvidia.com/gpu",
                gang.kind() + " " + gang.name() + " can never be admitted: " + (l.covers() ? "it needs " + need
                        + " GPUs and " + l.queue() + " allows at most " + l.ceiling() + " (" + l.how() + ")"
                        : l.queue() + " does not cover nvidia.com/gpu in its resourceGroups"))));
    }

    /**
     * Kueue ClusterQueues whose own quota is above what the schedulable nodes have: Kueue admits
     * on quota alone, so it can admit gangs that cannot be placed (evicted after waitForPodsReady's
     * timeout, or holding their quota while they wait without it).
     */
    private static void quotasAboveCapacity(SchedulerSnapshot snapshot, QueueQuotas quotas, List<JsonNode> schedulable,
                                            List<Finding> findings) {
        int capacity = schedulable.stream().mapToInt(SchedulerSnapshot::allocatableGpus).sum();
        for (JsonNode clusterQueue : snapshot.clusterQueues()) {
            quotas.kueue(name(clusterQueue)).filter(l -> l.nominal() > capacity).ifPresent(l -> findings.add(new Finding(
                    "cluster", "scheduler.quota_above_capacity", Verdict.WARN, l.nominal() + " GPUs",
                    "at most the " + capacity + " GPUs of the schedulable nodes",
                    l.queue() + "'s nominal quota (" + l.nominal() + " GPUs) is above the " + capacity + " GPUs the "
                            + "schedulable nodes have: Kueue admits on quota, so it can admit a gang that cannot be "
                            + "placed; lower the quota or enable waitForPodsReady so such a gang is evicted")));
        }
    }

    private void neverFits(Gang gang, List<JsonNode> nodes, List<Finding> findings) {
        int need = gang.size() * gang.gpusPerPod();
        int largestNode = nodes.stream().mapToInt(SchedulerSnapshot::allocatableGpus).max().orElse(0);
        Map<String, Integer> domains = new TreeMap<>();
        for (JsonNode node : nodes) {
            String domain = gang.requiredLevel().isEmpty() ? "cluster" : label(node, gang.requiredLevel());
            if (!domain.isEmpty()) {
                domains.merge(domain, allocatableGpus(node), Integer::sum);
            }
        }
        int largest = domains.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        if (gang.gpusPerPod() > largestNode || need > largest) {
            String where = gang.requiredLevel().isEmpty() ? "the cluster" : "one " + gang.requiredLevel() + " domain";
            findings.add(new Finding(gang.name(), "scheduler.gang_never_fits", Verdict.FAIL,
                    gang.size() + " × " + gang.gpusPerPod() + " GPUs = " + need,
                    gang.gpusPerPod() > largestNode ? "at most " + largestNode + " GPUs a pod (the largest node)"
                            : "at most " + largest + " GPUs (" + where + ")",
                    gang.gpusPerPod() > largestNode
                            ? gang.kind() + " " + gang.name() + " can never start: a pod asks for " + gang.gpusPerPod()
                                    + " GPUs and no schedulable node has more than " + largestNode
                            : gang.kind() + " " + gang.name() + " can never start: it needs " + need + " GPUs in "
                                    + where + ", whose largest allocatable is " + largest + " GPUs"));
        }
    }

    private void topology(SchedulerSnapshot snapshot, List<Finding> findings) {
        for (JsonNode topology : snapshot.topologies()) {
            List<String> levels = new ArrayList<>();
            topology.path("spec").path("levels").forEach(l -> levels.add(l.path("nodeLabel").asText()));
            for (JsonNode node : snapshot.nodes()) {
                List<String> missing = levels.stream().filter(l -> label(node, l).isEmpty()).toList();
                if (!missing.isEmpty()) {
                    findings.add(new Finding(name(node), "scheduler.topology_label_missing", Verdict.FAIL,
                            "no " + String.join(", ", missing), "every level of Topology " + name(topology),
                            "the node lacks " + String.join(", ", missing) + ": topology-aware placement cannot use it"));
                }
            }
            for (int i = 1; i < levels.size(); i++) {
                Map<String, Set<String>> parents = new TreeMap<>();
                for (JsonNode node : snapshot.nodes()) {
                    String child = label(node, levels.get(i));
                    String parent = label(node, levels.get(i - 1));
                    if (!child.isEmpty() && !parent.isEmpty()) {
                        parents.computeIfAbsent(child, c -> new TreeSet<>()).add(parent);
                    }
                }
                for (Map.Entry<String, Set<String>> e : parents.entrySet()) {
                    if (e.getValue().size() > 1) {
                        findings.add(new Finding("cluster", "scheduler.topology_not_a_tree", Verdict.FAIL,
                                levels.get(i) + "=" + e.getKey() + " under " + String.join(" and ", e.getValue()),
                                "one " + levels.get(i - 1) + " per " + levels.get(i),
                                "Topology " + name(topology) + ": " + levels.get(i) + " " + e.getKey() + " has nodes in "
                                        + e.getValue().size() + " " + levels.get(i - 1) + " domains; placement within "
                                        + "one domain is then not what it claims"));
                    }
                }
            }
        }
    }

    /** Pending pods that a node could hold when empty, none of which finds room on one now though the room is there. */
    /**
     * Volcano's HyperNodes must form a tree: each node in exactly one tier-1 HyperNode, each
     * HyperNode in at most one of the tier above, members only of lower tiers.
     */
    private void hyperNodes(SchedulerSnapshot snapshot, List<Finding> findings) {
        if (snapshot.hyperNodes().isEmpty()) {
            return;
        }
        Map<String, Integer> tiers = new TreeMap<>();
        snapshot.hyperNodes().forEach(h -> tiers.put(name(h), h.path("spec").path("tier").asInt()));
        Map<String, Set<String>> nodeParents = new TreeMap<>();
        Map<String, Set<String>> hyperParents = new TreeMap<>();
        for (JsonNode h : snapshot.hyperNodes()) {
            int tier = tiers.get(name(h));
            for (JsonNode member : h.path("spec").path("members")) {
                JsonNode selector = member.path("selector");
                if (member.path("type").asText().equals("HyperNode")) {
                    String child = selector.path("exactMatch").path("name").asText();
                    hyperParents.computeIfAbsent(child, c -> new TreeSet<>()).add(name(h));
                    if (tiers.getOrDefault(child, Integer.MAX_VALUE) >= tier) {
                        findings.add(new Finding("cluster", "scheduler.topology_not_a_tree", Verdict.FAIL,
                                "HyperNode " + name(h) + " (tier " + tier + ") holds " + child,
                                "members of a lower tier", "HyperNode " + child + " is missing or not of a lower tier "
                                + "than " + name(h) + " that lists it"));
                    }
                    continue;
                }
                String exact = selector.path("exactMatch").path("name").asText("");
                String regex = selector.path("regexMatch").path("pattern").asText("");
                for (JsonNode node : snapshot.nodes()) {
                    if (exact.equals(name(node)) || !regex.isEmpty() && name(node).matches(regex)) {
                        nodeParents.computeIfAbsent(name(node), n -> new TreeSet<>()).add(name(h));
                    }
                }
            }
        }
        for (JsonNode node : snapshot.nodes()) {
            Set<String> parents = nodeParents.getOrDefault(name(node), Set.of());
            if (parents.isEmpty()) {
                findings.add(new Finding(name(node), "scheduler.hypernode_missing", Verdict.FAIL, "in no HyperNode",
                        "one tier-1 HyperNode", "no HyperNode lists the node: network-topology-aware jobs cannot use it"));
            } else if (parents.size() > 1) {
                findings.add(new Finding(name(node), "scheduler.topology_not_a_tree", Verdict.FAIL,
                        "in " + String.join(" and ", parents), "one tier-1 HyperNode",
                        "the node is a member of " + parents.size() + " HyperNodes: the topology is not a tree"));
            }
        }
        hyperParents.forEach((child, parents) -> {
            if (parents.size() > 1) {
                findings.add(new Finding("cluster", "scheduler.topology_not_a_tree", Verdict.FAIL,
                        "HyperNode " + child + " in " + String.join(" and ", parents), "one parent HyperNode",
                        "HyperNode " + child + " has " + parents.size() + " parents: the topology is not a tree"));
            }
        });
    }

    private void fragmentation(SchedulerSnapshot snapshot, Map<String, Integer> free, long totalFree, int largestNode,
                               List<Finding> findings) {
        int smallest = snapshot.pods().stream().filter(p -> p.path("status").path("phase").asText().equals("Pending"))
                .filter(p -> p.path("spec").path("nodeName").asText("").isEmpty())
                .mapToInt(SchedulerSnapshot::requestedGpus).filter(g -> g > 0 && g <= largestNode).min().orElse(0);
        int largestPiece = free.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        if (smallest > 0 && largestPiece < smallest && totalFree >= smallest) {
            findings.add(new Finding("cluster", "scheduler.fragmented", Verdict.WARN,
                    totalFree + " GPUs free, at most " + largestPiece + " on one node",
                    "a node with " + smallest + " free GPUs", "the smallest pending pod asks for " + smallest
                    + " GPUs on one node, but the free GPUs are spread in pieces of " + largestPiece + " or fewer: "
                    + "bin-packing (or moving small jobs together) would let it start"));
        }
    }

    /** Free GPUs per schedulable node: allocatable less what its running and bound pods request. */
    private static Map<String, Integer> freeGpus(SchedulerSnapshot snapshot, List<JsonNode> nodes) {
        Map<String, Integer> free = new LinkedHashMap<>();
        nodes.forEach(n -> free.put(name(n), allocatableGpus(n)));
        for (JsonNode pod : snapshot.pods()) {
            String node = pod.path("spec").path("nodeName").asText("");
            String phase = pod.path("status").path("phase").asText();
            if (free.containsKey(node) && !phase.equals("Succeeded") && !phase.equals("Failed")) {
                free.merge(node, -requestedGpus(pod), Integer::sum);
            }
        }
        return free;
    }

    private static List<Gang> gangs(SchedulerSnapshot snapshot) {
        List<Gang> out = new ArrayList<>();
        for (JsonNode group : snapshot.podGroups()) {
            List<JsonNode> members = snapshot.pods().stream().filter(p -> namespace(p).equals(namespace(group))
                    && annotation(p, VOLCANO_GROUP).equals(name(group))).toList();
            out.add(new Gang("PodGroup", namespace(group) + "/" + name(group),
                    group.path("spec").path("minMember").asInt(1), gpusPerPod(members), members, "",
                    group.path("spec").path("queue").asText("default")));
        }
        Map<String, List<JsonNode>> kueue = new TreeMap<>();
        for (JsonNode pod : snapshot.pods()) {
            String group = label(pod, KUEUE_GROUP);
            if (!group.isEmpty()) {
                kueue.computeIfAbsent(namespace(pod) + "/" + group, g -> new ArrayList<>()).add(pod);
            }
        }
        kueue.forEach((group, members) -> {
            int size = members.stream().mapToInt(p -> parse(annotation(p, KUEUE_COUNT), members.size())).max()
                    .orElse(members.size());
            String level = members.stream().map(p -> annotation(p, KUEUE_TOPOLOGY)).filter(l -> !l.isEmpty())
                    .findFirst().orElse("");
            String queue = members.stream().map(p -> label(p, KUEUE_QUEUE)).filter(q -> !q.isEmpty())
                    .map(q -> namespace(members.getFirst()) + "/" + q).findFirst().orElse("");
            out.add(new Gang("Kueue pod group", group, size, gpusPerPod(members), members, level, queue));
        });
        return out;
    }

    private static int gpusPerPod(List<JsonNode> members) {
        return members.stream().mapToInt(SchedulerSnapshot::requestedGpus).max().orElse(0);
    }

    private static int parse(String text, int otherwise) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
