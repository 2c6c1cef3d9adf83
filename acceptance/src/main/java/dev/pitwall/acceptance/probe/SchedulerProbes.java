package dev.pitwall.acceptance.probe;

import dev.pitwall.acceptance.probe.GangScheduler.Gang;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Live scheduler probes: small workloads submitted to the cluster's batch scheduler to see that
 * it places GPU jobs as designed. Each probe uses idle nodes only, at the lowest priority class,
 * waits at most its timeout (and never past the run's budget), deletes its pods before the next
 * probe starts, and ends in a {@link Finding} whose detail is the evidence: where each pod landed,
 * what the scheduler said, how long it took.
 *
 * <ul>
 *   <li>{@code whole_node}: a job of one node's GPUs lands alone on one node;</li>
 *   <li>{@code gang}: a two-node gang starts all its pods;</li>
 *   <li>{@code gang_unfittable}: a gang bigger than the cluster starts none;</li>
 *   <li>{@code topology}: a two-node gang asking for one domain lands inside one;</li>
 *   <li>{@code quota}: a job over its queue's quota waits, and is admitted once room appears;</li>
 *   <li>{@code fair_share}: two equal queues contending for two nodes end up with equal shares.</li>
 * </ul>
 */
public final class SchedulerProbes {

    /** The probes in the order they run. */
    public static final List<String> ALL = List.of("whole_node", "gang", "gang_unfittable", "topology", "quota",
            "fair_share");

    /** Jain's index two equal queues' shares must reach: 0.95 allows about 61/39. */
    static final double FAIR_INDEX = 0.95;

    /**
     * @param image          what probe pods run (the pause image: they only need to be placed)
     * @param probeTimeout   how long one probe waits for the scheduler to place pods
     * @param holdWindow     how long a probe watches a job that must not start, when the scheduler says nothing
     * @param topologyLabel  the node label of the domain a topology-constrained job must stay in
     * @param queue          an existing queue (Volcano Queue, Kueue LocalQueue) for the placement probes; empty: one of the run's
     * @param fairRounds     how many times the fair-share probe frees its nodes and lets the queues refill them
     * @param only           the probes to run (empty: all)
     */
    public record Settings(String image, Duration probeTimeout, Duration holdWindow, Optional<String> topologyLabel,
                           Optional<String> queue, int fairRounds, Set<String> only) {

        boolean runs(String probe) {
            return only.isEmpty() || only.contains(probe);
        }
    }

    private final GangScheduler scheduler;
    private final Settings settings;

    public SchedulerProbes(GangScheduler scheduler, Settings settings) {
        this.scheduler = scheduler;
        this.settings = settings;
    }

    /** A node as the probes see it: its GPUs, how many are taken, its labels. */
    record NodeState(String name, int gpus, int used, Map<String, String> labels) {
        boolean idle() {
            return gpus > 0 && used == 0;
        }
    }

    /** Runs the probes; each one's finding, in order. */
    public List<Finding> run(ProbeSession session) {
        List<Finding> findings = new ArrayList<>();
        String placementQueue = null;
        for (String probe : ALL) {
            if (!settings.runs(probe)) {
                continue;
            }
            if (session.left().isZero()) {
                findings.add(finding("cluster", probe, Verdict.WARN, "not run", "run",
                        "the run's time budget was spent before this probe"));
                continue;
            }
            try {
                if (placementQueue == null && List.of("whole_node", "gang", "gang_unfittable", "topology").contains(probe)) {
                    placementQueue = settings.queue().orElseGet(() ->
                            scheduler.createQueue(session, "placement", OptionalInt.empty()));
                }
                List<NodeState> nodes = nodes(session.client());
                findings.add(switch (probe) {
                    case "whole_node" -> wholeNode(session, nodes, placementQueue);
                    case "gang" -> gang(session, nodes, placementQueue);
                    case "gang_unfittable" -> unfittableGang(session, nodes, placementQueue);
                    case "topology" -> topology(session, nodes, placementQueue);
                    case "quota" -> quota(session, nodes);
                    default -> fairShare(session, nodes);
                });
            } catch (KubernetesClientException e) {
                findings.add(finding("cluster", probe, Verdict.FAIL, "API refused", "probe objects accepted",
                        "the API server refused a probe object (" + e.getCode() + "): " + e.getMessage()
                                + " — the probes need to create pods and " + scheduler.describe() + " objects"));
            }
        }
        return findings;
    }

    // ---- the probes ----------------------------------------------------------------------

    private Finding wholeNode(ProbeSession session, List<NodeState> nodes, String queue) {
        List<NodeState> idle = idle(nodes);
        if (idle.isEmpty()) {
            return notRun("whole_node", "an idle GPU node", nodes);
        }
        int gpus = commonSize(idle);
        Gang job = new Gang("whole-node", 1, gpus, queue, Optional.empty(), List.of());
        Placement placed = submitAndAwait(session, job);
        try {
            if (!placed.complete()) {
                return finding("cluster", "whole_node", Verdict.FAIL, "not placed", "placed on one node",
                        "a " + gpus + "-GPU pod stayed unplaced for " + seconds(placed.waited()) + " while " + idle.size()
                                + " nodes had " + gpus + " GPUs free" + said(session, job, placed));
            }
            String node = placed.nodes().getFirst();
            NodeState landed = nodes.stream().filter(n -> n.name().equals(node)).findFirst().orElse(null);
            if (landed == null || landed.used() > 0 || landed.gpus() != gpus) {
                return finding(node, "whole_node", Verdict.FAIL, "shares " + node, "a whole node",
                        "the " + gpus + "-GPU pod landed on " + node + (landed == null ? ", which had no GPUs free"
                                : ", which has " + landed.gpus() + " GPUs with " + landed.used() + " in use")
                                + ", while " + idle.size() + " whole nodes were idle");
            }
            return finding(node, "whole_node", Verdict.PASS, "whole " + node, "a whole node",
                    "the " + gpus + "-GPU pod landed alone on " + node + " (" + gpus + " of " + landed.gpus()
                            + " GPUs) after " + seconds(placed.waited()));
        } finally {
            session.deletePods(job.pods());
        }
    }

    private Finding gang(ProbeSession session, List<NodeState> nodes, String queue) {
        List<NodeState> idle = idle(nodes);
        if (idle.size() < 2) {
            return notRun("gang", "two idle GPU nodes", nodes);
        }
        int gpus = commonSize(idle);
        Gang gang = new Gang("gang", 2, gpus, queue, Optional.empty(), List.of());
        Placement placed = submitAndAwait(session, gang);
        try {
            if (placed.complete()) {
                return finding("cluster", "gang", Verdict.PASS, "2 of 2 started", "all or nothing",
                        "both pods of a 2 × " + gpus + "-GPU gang were placed (" + String.join(", ", placed.nodes())
                                + ") after " + seconds(placed.waited()));
            }
            return finding("cluster", "gang", Verdict.FAIL, placed.nodes().size() + " of 2 started", "all or nothing",
                    (placed.nodes().isEmpty() ? "no pod" : "only " + String.join(", ", placed.nodes()))
                            + " of a 2 × " + gpus + "-GPU gang was placed in " + seconds(placed.waited()) + " while "
                            + idle.size() + " whole nodes were idle" + said(session, gang, placed));
        } finally {
            session.deletePods(gang.pods());
        }
    }

    private Finding unfittableGang(ProbeSession session, List<NodeState> nodes, String queue) {
        List<NodeState> gpuNodes = nodes.stream().filter(n -> n.gpus() > 0).toList();
        if (gpuNodes.isEmpty()) {
            return notRun("gang_unfittable", "a GPU node", nodes);
        }
        int gpus = gpuNodes.stream().mapToInt(NodeState::gpus).max().orElseThrow();
        int size = gpuNodes.size() + 1;
        Gang gang = new Gang("unfittable", size, gpus, queue, Optional.empty(), List.of());
        scheduler.submit(session, gang, settings.image(), List.of());
        try {
            // Ends early when a pod is placed (wrong) or the scheduler says the gang waits (right).
            Instant start = session.now();
            ProbeSession.Awaited<Watch> watched = session.await(() -> watch(session, gang),
                    w -> !w.placed().isEmpty() || w.held().isPresent(), settings.holdWindow());
            Watch last = watched.state();
            String waited = seconds(Duration.between(start, session.now()));
            if (!last.placed().isEmpty()) {
                return finding("cluster", "gang_unfittable", Verdict.FAIL, last.placed().size() + " of " + size
                                + " started", "none started",
                        "a " + size + " × " + gpus + "-GPU gang (more than the " + gpuNodes.size()
                                + " GPU nodes hold) had pods placed on " + String.join(", ", last.placed().values())
                                + "; they hold GPUs the gang can never use");
            }
            return finding("cluster", "gang_unfittable", Verdict.PASS, "0 of " + size + " started", "none started",
                    "a " + size + " × " + gpus + "-GPU gang (more than the " + gpuNodes.size() + " GPU nodes hold) "
                            + "started no pod in " + waited + last.held().map(h -> "; " + h)
                            .orElse("; the scheduler wrote no reason"));
        } finally {
            session.deletePods(gang.pods());
        }
    }

    private Finding topology(ProbeSession session, List<NodeState> nodes, String queue) {
        if (settings.topologyLabel().isEmpty()) {
            return finding("cluster", "topology", Verdict.WARN, "not run", "one domain",
                    "no topology label: give the node label of the domain (rack, block) a job must stay in");
        }
        String label = settings.topologyLabel().get();
        Map<String, List<NodeState>> domains = idle(nodes).stream().filter(n -> n.labels().containsKey(label))
                .collect(Collectors.groupingBy(n -> n.labels().get(label), TreeMap::new, Collectors.toList()));
        List<String> roomy = domains.entrySet().stream().filter(e -> e.getValue().size() >= 2).map(Map.Entry::getKey)
                .toList();
        if (roomy.isEmpty() || domains.size() < 2) {
            return notRun("topology", "two idle nodes in one " + label + " and idle nodes in another", nodes);
        }
        int gpus = commonSize(idle(nodes));
        Gang gang = new Gang("topology", 2, gpus, queue, Optional.of(label), List.of());
        Placement placed = submitAndAwait(session, gang);
        try {
            Map<String, String> domainOf = nodes.stream().collect(Collectors.toMap(NodeState::name,
                    n -> n.labels().getOrDefault(label, "(none)")));
            String where = placed.nodes().stream().map(n -> n + " (" + label + "=" + domainOf.getOrDefault(n, "?") + ")")
                    .collect(Collectors.joining(", "));
            if (!placed.complete()) {
                return finding("cluster", "topology", Verdict.FAIL, placed.nodes().size() + " of 2 placed", "one domain",
                        "a 2 × " + gpus + "-GPU gang required in one " + label + " was not placed in "
                                + seconds(placed.waited()) + " though " + String.join(", ", roomy) + " had room"
                                + (where.isEmpty() ? "" : "; placed: " + where) + said(session, gang, placed));
            }
            long spanned = placed.nodes().stream().map(domainOf::get).distinct().count();
            if (spanned > 1) {
                return finding("cluster", "topology", Verdict.FAIL, spanned + " domains", "one domain",
                        "a gang required in one " + label + " was split: " + where);
            }
            return finding("cluster", "topology", Verdict.PASS, "one " + label, "one domain",
                    "a 2 × " + gpus + "-GPU gang required in one " + label + " landed on " + where + " after "
                            + seconds(placed.waited()));
        } finally {
            session.deletePods(gang.pods());
        }
    }

    private Finding quota(ProbeSession session, List<NodeState> nodes) {
        List<NodeState> idle = idle(nodes);
        if (idle.size() < 2) {
            return notRun("quota", "two idle GPU nodes (so only the quota can hold the second job back)", nodes);
        }
        int gpus = commonSize(idle);
        String queue = scheduler.createQueue(session, "quota", OptionalInt.of(gpus));
        Gang first = new Gang("quota-first", 1, gpus, queue, Optional.empty(), List.of());
        Gang second = new Gang("quota-second", 1, gpus, queue, Optional.empty(), List.of());
        try {
            Placement firstPlaced = submitAndAwait(session, first);
            if (!firstPlaced.complete()) {
                return finding("cluster", "quota", Verdict.FAIL, "first job not admitted", "admitted within quota",
                        "a " + gpus + "-GPU job in a queue of " + gpus + " GPUs stayed unplaced for "
                                + seconds(firstPlaced.waited()) + said(session, first, firstPlaced));
            }
            scheduler.submit(session, second, settings.image(), List.of());
            Instant submitted = session.now();
            Watch held = session.await(() -> watch(session, second), w -> !w.placed().isEmpty() || w.held().isPresent(),
                    settings.holdWindow()).state();
            if (!held.placed().isEmpty()) {
                return finding("cluster", "quota", Verdict.FAIL, "over quota admitted", "waits for quota",
                        "a second " + gpus + "-GPU job in a queue capped at " + gpus + " GPUs was placed on "
                                + String.join(", ", held.placed().values()) + " while the first still ran on "
                                + firstPlaced.nodes().getFirst() + ": the queue's quota is not enforced");
            }
            String waitedFor = held.held().orElse("it stayed unplaced for "
                    + seconds(Duration.between(submitted, session.now())) + " (the scheduler wrote no reason)");
            session.deletePods(first.pods());
            Instant freed = session.now();
            Placement secondPlaced = await(session, second);
            if (!secondPlaced.complete()) {
                return finding("cluster", "quota", Verdict.FAIL, "not admitted after room", "admitted when room appears",
                        "a job over its queue's quota waited (" + waitedFor + ") but was still unplaced "
                                + seconds(Duration.between(freed, session.now())) + " after the first job ended"
                                + said(session, second, secondPlaced));
            }
            return finding("cluster", "quota", Verdict.PASS, "waited, then admitted", "waits for quota",
                    "a second " + gpus + "-GPU job in a queue capped at " + gpus + " GPUs waited (" + waitedFor
                            + ") and was placed on " + secondPlaced.nodes().getFirst() + " "
                            + seconds(Duration.between(freed, session.now())) + " after the first ended");
        } finally {
            session.deletePods(List.of(first.pods().getFirst(), second.pods().getFirst()));
        }
    }

    /**
     * Two queues of equal weight contend for two idle nodes: the first queue fills them, then the
     * second arrives; each round the probe ends every running pod (as finished jobs would) and
     * lets the scheduler refill the nodes. Converged when the last round's shares reach
     * {@link #FAIR_INDEX} on Jain's index.
     */
    private Finding fairShare(ProbeSession session, List<NodeState> nodes) {
        List<NodeState> idle = idle(nodes);
        if (idle.size() < 2) {
            return notRun("fair_share", "two idle GPU nodes", nodes);
        }
        List<String> pool = idle.stream().limit(2).map(NodeState::name).toList();
        int capacity = idle.stream().limit(2).mapToInt(NodeState::gpus).sum();
        int rounds = Math.max(1, settings.fairRounds());
        String queueA = scheduler.createSharedQueue(session, "fair-a", capacity / 2, "fair");
        String queueB = scheduler.createSharedQueue(session, "fair-b", capacity / 2, "fair");
        // Enough backlog that neither queue runs dry before the last round.
        List<Gang> a = singles("fair-a", (rounds + 1) * capacity, queueA, pool);
        List<Gang> b = singles("fair-b", rounds * capacity, queueB, pool);
        List<String> all = new ArrayList<>();
        a.forEach(g -> all.addAll(g.pods()));
        b.forEach(g -> all.addAll(g.pods()));
        List<String> history = new ArrayList<>();
        try {
            a.forEach(g -> scheduler.submit(session, g, settings.image(), List.of()));
            Map<String, String> placed = awaitFilled(session, capacity, all);
            b.forEach(g -> scheduler.submit(session, g, settings.image(), List.of()));
            history.add(shares(placed));
            for (int round = 1; round <= rounds && !session.left().isZero(); round++) {
                session.deletePods(List.copyOf(placed.keySet()));
                placed = awaitFilled(session, capacity, all);
                history.add(shares(placed));
            }
            long inA = placed.keySet().stream().filter(p -> p.startsWith("fair-a")).count();
            long inB = placed.size() - inA;
            double index = jain(inA, inB);
            String evidence = "two equal queues on " + String.join(" and ", pool) + " (" + capacity + " GPUs, 1-GPU jobs); "
                    + "queue A alone first, then B; running per round A:B " + String.join(", ", history)
                    + String.format(Locale.ROOT, "; Jain's index %.2f in the last round", index);
            return finding("cluster", "fair_share", index >= FAIR_INDEX ? Verdict.PASS : Verdict.FAIL,
                    String.format(Locale.ROOT, "Jain %.2f", index), String.format(Locale.ROOT, "≥ %.2f", FAIR_INDEX),
                    evidence);
        } finally {
            session.deletePods(all.stream().filter(p -> session.pod(p) != null).toList());
        }
    }

    private static List<Gang> singles(String prefix, int count, String queue, List<String> pool) {
        List<Gang> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jobs.add(new Gang(prefix + "-" + i, 1, 1, queue, Optional.empty(), pool));
        }
        return jobs;
    }

    /** Waits until the placed probe pods use {@code capacity} GPUs or nothing is left to place. */
    private Map<String, String> awaitFilled(ProbeSession session, int capacity, List<String> all) {
        return session.await(() -> placed(session), p -> p.size() >= capacity || p.size() == live(session, all),
                settings.probeTimeout()).state();
    }

    private static long live(ProbeSession session, List<String> all) {
        Set<String> names = Set.copyOf(all);
        return session.pods().stream().filter(p -> names.contains(session.shortName(p))).count();
    }

    private static String shares(Map<String, String> placed) {
        long inA = placed.keySet().stream().filter(p -> p.startsWith("fair-a")).count();
        return inA + ":" + (placed.size() - inA);
    }

    static double jain(double a, double b) {
        return a + b == 0 ? 0 : (a + b) * (a + b) / (2 * (a * a + b * b));
    }

    // ---- reading the cluster -------------------------------------------------------------

    /** Every node with its GPUs, and how many GPUs the pods bound to it (running or about to) take. */
    static List<NodeState> nodes(KubernetesClient client) {
        Map<String, Integer> used = new HashMap<>();
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            String phase = pod.getStatus() == null ? "" : String.valueOf(pod.getStatus().getPhase());
            if (node != null && !node.isEmpty() && !phase.equals("Succeeded") && !phase.equals("Failed")) {
                used.merge(node, gpus(pod), Integer::sum);
            }
        }
        List<NodeState> nodes = new ArrayList<>();
        for (Node node : client.nodes().list().getItems()) {
            boolean cordoned = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
            boolean ready = node.getStatus() != null && node.getStatus().getConditions() != null
                    && node.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
            if (cordoned || !ready) {
                continue;
            }
            Quantity gpus = node.getStatus().getAllocatable() == null ? null
                    : node.getStatus().getAllocatable().get(ProbeSession.GPU);
            String name = node.getMetadata().getName();
            nodes.add(new NodeState(name, gpus == null ? 0 : gpus.getNumericalAmount().intValue(),
                    used.getOrDefault(name, 0), node.getMetadata().getLabels() == null ? Map.of()
                    : node.getMetadata().getLabels()));
        }
        nodes.sort(Comparator.comparing(NodeState::name));
        return nodes;
    }

    static int gpus(Pod pod) {
        int gpus = 0;
        for (var container : pod.getSpec().getContainers()) {
            if (container.getResources() == null) {
                continue;
            }
            Quantity asked = container.getResources().getRequests() == null ? null
                    : container.getResources().getRequests().get(ProbeSession.GPU);
            if (asked == null && container.getResources().getLimits() != null) {
                asked = container.getResources().getLimits().get(ProbeSession.GPU);
            }
            gpus += asked == null ? 0 : asked.getNumericalAmount().intValue();
        }
        return gpus;
    }

    private static List<NodeState> idle(List<NodeState> nodes) {
        return nodes.stream().filter(NodeState::idle).toList();
    }

    /** The GPU count most idle nodes have: what "a whole node" means for this cluster. */
    private static int commonSize(List<NodeState> idle) {
        return idle.stream().collect(Collectors.groupingBy(NodeState::gpus, Collectors.counting())).entrySet().stream()
                .max(Map.Entry.<Integer, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .orElseThrow().getKey();
    }

    /** The run's pods placed on a node, short name → node. */
    private static Map<String, String> placed(ProbeSession session) {
        Map<String, String> placed = new TreeMap<>();
        for (Pod pod : session.pods()) {
            String node = pod.getSpec().getNodeName();
            boolean gated = pod.getSpec().getSchedulingGates() != null && !pod.getSpec().getSchedulingGates().isEmpty();
            if (node != null && !node.isEmpty() && !gated) {
                placed.put(session.shortName(pod), node);
            }
        }
        return placed;
    }

    /** Where a gang's pods are, and whether the scheduler has said it waits. */
    record Watch(Map<String, String> placed, Optional<String> held) {
    }

    private Watch watch(ProbeSession session, Gang gang) {
        Map<String, String> placed = new LinkedHashMap<>(placed(session));
        placed.keySet().retainAll(gang.pods());
        return new Watch(placed, scheduler.heldBecause(session, gang));
    }

    /** A gang's placement once all its pods are placed or the probe's timeout passed. */
    record Placement(List<String> nodes, boolean complete, Duration waited) {
    }

    private Placement submitAndAwait(ProbeSession session, Gang gang) {
        scheduler.submit(session, gang, settings.image(), List.of());
        return await(session, gang);
    }

    private Placement await(ProbeSession session, Gang gang) {
        Instant start = session.now();
        ProbeSession.Awaited<Map<String, String>> done = session.await(() -> {
            Map<String, String> placed = new LinkedHashMap<>(placed(session));
            placed.keySet().retainAll(gang.pods());
            return placed;
        }, p -> p.size() == gang.size(), settings.probeTimeout());
        return new Placement(List.copyOf(done.state().values()), done.done(), Duration.between(start, session.now()));
    }

    private String said(ProbeSession session, Gang gang, Placement placed) {
        Optional<String> held = scheduler.heldBecause(session, gang);
        if (held.isPresent()) {
            return "; " + held.get();
        }
        return gang.pods().stream().map(session::pod).filter(p -> p != null && p.getStatus() != null
                        && p.getStatus().getConditions() != null)
                .flatMap(p -> p.getStatus().getConditions().stream())
                .filter(c -> c.getType().equals("PodScheduled") && c.getStatus().equals("False"))
                .map(c -> "; PodScheduled=False (" + c.getReason() + "): " + c.getMessage())
                .findFirst().orElse(placed.nodes().isEmpty() ? "; the scheduler wrote no reason" : "");
    }

    private static Finding notRun(String probe, String needs, List<NodeState> nodes) {
        long idle = nodes.stream().filter(NodeState::idle).count();
        return finding("cluster", probe, Verdict.WARN, "not run", "run",
                "needs " + needs + "; the cluster has " + idle + " idle of " + nodes.stream().filter(n -> n.gpus() > 0)
                        .count() + " schedulable GPU nodes" + (nodes.isEmpty() ? "" : " ("
                        + nodes.stream().filter(n -> n.gpus() > 0).map(n -> n.name() + " " + n.used() + "/" + n.gpus())
                        .collect(Collectors.joining(", ")) + " GPUs in use)"));
    }

    private static Finding finding(String node, String probe, Verdict verdict, String value, String expected,
                                   String detail) {
        return new Finding(node, "scheduler.probe." + probe, verdict, value, expected, detail);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
