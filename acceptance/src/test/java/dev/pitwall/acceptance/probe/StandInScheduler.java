package dev.pitwall.acceptance.probe;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A stand-in for Volcano or Kueue on fabric8's mock API server: it reads the objects the probes
 * write (PodGroups and their annotations, Kueue's pod-group labels, Queues, ClusterQueues,
 * LocalQueues) and answers as the real scheduler does, binding pods to nodes and writing a
 * PodGroup's Unschedulable condition or a Workload's QuotaReserved=False. Each behaviour can be
 * switched off to play a scheduler that gets it wrong.
 */
final class StandInScheduler implements AutoCloseable {

    enum Kind { VOLCANO, KUEUE }

    /** What it gets right. */
    record Behaviour(boolean gangs, boolean topology, boolean quotas, boolean fair) {
        static Behaviour correct() {
            return new Behaviour(true, true, true, true);
        }
    }

    private final KubernetesClient client;
    private final Kind kind;
    private final Behaviour behaviour;
    private final String topologyLabel;
    private final Thread loop;
    private volatile boolean running = true;
    private volatile RuntimeException failure;
    /** When each gang was first seen: FIFO order. */
    private final Map<String, Long> firstSeen = new HashMap<>();
    private long seen;
    /** Every pending pod of a group it has seen, by name. */
    private final Map<String, Pod> seenPods = new ConcurrentHashMap<>();

    StandInScheduler(KubernetesClient client, Kind kind, Behaviour behaviour, String topologyLabel) {
        this.client = client;
        this.kind = kind;
        this.behaviour = behaviour;
        this.topologyLabel = topologyLabel;
        // A scheduling cycle every few milliseconds, as Volcano's schedule period (1 s) but faster.
        this.loop = Thread.ofPlatform().daemon().name("stand-in-scheduler").start(() -> {
            while (running) {
                try {
                    cycle();
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                } catch (KubernetesClientException e) {
                    // An object deleted under the cycle: the next cycle sees the new state.
                } catch (RuntimeException e) {
                    failure = e;
                    return;
                }
            }
        });
    }

    private record Member(Pod pod, int gpus, List<String> allowed) {
    }

    private record Group(String key, int size, String queue, boolean topology, List<Member> pending, int placedGpus) {
    }

    /** The custom objects as this cycle read them, by name. */
    private Map<String, GenericKubernetesResource> podGroups = Map.of();
    private Map<String, GenericKubernetesResource> queues = Map.of();
    private Map<String, GenericKubernetesResource> localQueues = Map.of();

    private static Map<String, GenericKubernetesResource> byName(List<GenericKubernetesResource> items) {
        return items.stream().collect(Collectors.toMap(i -> i.getMetadata().getName(), i -> i, (a, b) -> a));
    }

    private void cycle() {
        if (kind == Kind.VOLCANO) {
            podGroups = byName(client.genericKubernetesResources(VolcanoScheduler.POD_GROUPS).inAnyNamespace().list()
                    .getItems());
            queues = byName(client.genericKubernetesResources(VolcanoScheduler.QUEUES).list().getItems());
        } else {
            queues = byName(client.genericKubernetesResources(KueueScheduler.CLUSTER_QUEUES).list().getItems());
            localQueues = byName(client.genericKubernetesResources(KueueScheduler.LOCAL_QUEUES).inAnyNamespace().list()
                    .getItems());
        }
        Map<String, Integer> free = new TreeMap<>();
        Map<String, String> domain = new HashMap<>();
        for (Node node : client.nodes().list().getItems()) {
            var gpus = node.getStatus().getAllocatable().get(ProbeSession.GPU);
            free.put(node.getMetadata().getName(), gpus == null ? 0 : gpus.getNumericalAmount().intValue());
            String value = node.getMetadata().getLabels() == null ? null : node.getMetadata().getLabels().get(topologyLabel);
            domain.put(node.getMetadata().getName(), value == null ? "" : value);
        }
        Map<String, Integer> usedByQueue = new HashMap<>();
        Map<String, Group> groups = new LinkedHashMap<>();
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            String node = pod.getSpec().getNodeName();
            int gpus = SchedulerProbes.gpus(pod);
            String key = groupKey(pod);
            if (node != null && !node.isEmpty()) {
                free.merge(node, -gpus, Integer::sum);
                if (key != null) {
                    usedByQueue.merge(queueOf(pod), gpus, Integer::sum);
                }
                continue;
            }
            if (key == null) {
                continue;
            }
            Group group = groups.computeIfAbsent(key, k -> new Group(k, size(pod), queueOf(pod),
                    isTopologyBound(pod), new ArrayList<>(), 0));
            group.pending().add(new Member(pod, gpus, allowedNodes(pod)));
            seenPods.putIfAbsent(pod.getMetadata().getName(), pod);
            firstSeen.computeIfAbsent(key, k -> seen++);
        }
        List<Group> order = new ArrayList<>(groups.values());
        order.sort(Comparator.comparingLong(g -> firstSeen.get(g.key())));
        while (!order.isEmpty()) {
            Group next = behaviour.fair() ? fairest(order, usedByQueue) : order.getFirst();
            order.remove(next);
            schedule(next, free, domain, usedByQueue);
        }
    }

    /** The pending group whose queue runs least, within its own quota first (Kueue's nominal before borrowing). */
    private Group fairest(List<Group> order, Map<String, Integer> usedByQueue) {
        return order.stream().min(Comparator
                .comparing((Group g) -> needsToBorrow(g, usedByQueue))
                .thenComparingInt(g -> usedByQueue.getOrDefault(g.queue(), 0))).orElseThrow();
    }

    private boolean needsToBorrow(Group group, Map<String, Integer> usedByQueue) {
        Optional<Integer> nominal = quota(group.queue());
        int demand = group.pending().stream().mapToInt(Member::gpus).sum();
        return nominal.isPresent() && usedByQueue.getOrDefault(group.queue(), 0) + demand > nominal.get();
    }

    private void schedule(Group group, Map<String, Integer> free, Map<String, String> domain,
                          Map<String, Integer> usedByQueue) {
        if (behaviour.gangs() && group.pending().size() < group.size()) {
            return;
        }
        int demand = group.pending().stream().mapToInt(Member::gpus).sum();
        if (behaviour.quotas() && !quotaAllows(group, demand, usedByQueue)) {
            hold(group, "insufficient unused quota for nvidia.com/gpu, " + demand + " more needed");
            return;
        }
        if (!behaviour.gangs()) {
            for (Member member : group.pending()) {
                fit(List.of(member), free, domain, false).ifPresent(p -> bind(p, free, usedByQueue, group.queue()));
            }
            return;
        }
        Optional<Map<Member, String>> placement = fit(group.pending(), free, domain,
                behaviour.topology() && group.topology());
        if (placement.isEmpty()) {
            hold(group, group.size() + "/" + group.size() + " tasks in gang unschedulable: " + group.size()
                    + " Insufficient nvidia.com/gpu");
            return;
        }
        bind(placement.get(), free, usedByQueue, group.queue());
    }

    /** First fit by node name; inside one topology domain when asked. All or nothing. */
    private Optional<Map<Member, String>> fit(List<Member> members, Map<String, Integer> free, Map<String, String> domain,
                                             boolean oneDomain) {
        Set<String> domains = oneDomain ? Set.copyOf(domain.values()) : Set.of("*");
        for (String within : domains.stream().sorted().toList()) {
            Map<String, Integer> left = new TreeMap<>(free);
            Map<Member, String> placed = new LinkedHashMap<>();
            for (Member member : members) {
                Optional<String> node = left.entrySet().stream()
                        .filter(e -> e.getValue() >= member.gpus())
                        .filter(e -> within.equals("*") || domain.get(e.getKey()).equals(within))
                        .filter(e -> member.allowed().isEmpty() || member.allowed().contains(e.getKey()))
                        .map(Map.Entry::getKey).findFirst();
                if (node.isEmpty()) {
                    break;
                }
                left.merge(node.get(), -member.gpus(), Integer::sum);
                placed.put(member, node.get());
            }
            if (placed.size() == members.size()) {
                return Optional.of(placed);
            }
        }
        return Optional.empty();
    }

    private void bind(Map<Member, String> placement, Map<String, Integer> free, Map<String, Integer> usedByQueue,
                      String queue) {
        placement.forEach((member, node) -> {
            Pod pod = member.pod();
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .edit(p -> {
                        p.getSpec().setNodeName(node);
                        return p;
                    });
            free.merge(node, -member.gpus(), Integer::sum);
            usedByQueue.merge(queue, member.gpus(), Integer::sum);
        });
    }

    private boolean quotaAllows(Group group, int demand, Map<String, Integer> usedByQueue) {
        Optional<Integer> cap = quota(group.queue());
        if (cap.isEmpty()) {
            return true;
        }
        int used = usedByQueue.getOrDefault(group.queue(), 0);
        if (used + demand <= cap.get()) {
            return true;
        }
        // Kueue: a queue in a cohort may borrow what the cohort's other queues leave unused.
        Optional<String> cohort = cohort(group.queue());
        if (cohort.isEmpty()) {
            return false;
        }
        int cohortCap = 0;
        int cohortUsed = 0;
        for (String queue : cohortQueues(cohort.get())) {
            cohortCap += quota(queue).orElse(0);
            cohortUsed += usedByQueue.getOrDefault(queue, 0);
        }
        return cohortUsed + demand <= cohortCap;
    }

    // ---- what the two schedulers read ------------------------------------------------------

    private String groupKey(Pod pod) {
        var meta = pod.getMetadata();
        if (kind == Kind.VOLCANO) {
            return meta.getAnnotations() == null ? null : meta.getAnnotations().get(VolcanoScheduler.GROUP_ANNOTATION);
        }
        return meta.getLabels() == null ? null : meta.getLabels().get(KueueScheduler.GROUP_LABEL);
    }

    private int size(Pod pod) {
        if (kind == Kind.KUEUE) {
            return Integer.parseInt(pod.getMetadata().getAnnotations().get(KueueScheduler.GROUP_COUNT));
        }
        GenericKubernetesResource group = podGroup(pod);
        return group == null ? Integer.MAX_VALUE : ((Number) group.get("spec", "minMember")).intValue();
    }

    private GenericKubernetesResource podGroup(Pod pod) {
        return podGroups.get(groupKey(pod));
    }

    private boolean isTopologyBound(Pod pod) {
        if (kind == Kind.KUEUE) {
            return pod.getMetadata().getAnnotations().containsKey(KueueScheduler.REQUIRED_TOPOLOGY);
        }
        GenericKubernetesResource group = podGroup(pod);
        return group != null && group.get("spec", "networkTopology") != null;
    }

    /** Volcano: the Queue's name; Kueue: the ClusterQueue behind the LocalQueue. */
    private String queueOf(Pod pod) {
        if (kind == Kind.VOLCANO) {
            GenericKubernetesResource group = podGroup(pod);
            return group == null ? "default" : String.valueOf((Object) group.get("spec", "queue"));
        }
        GenericKubernetesResource local = localQueues.get(pod.getMetadata().getLabels().get(KueueScheduler.QUEUE_LABEL));
        return local == null ? "none" : String.valueOf((Object) local.get("spec", "clusterQueue"));
    }

    private Optional<Integer> quota(String queue) {
        if (kind == Kind.VOLCANO) {
            GenericKubernetesResource q = queues.get(queue);
            Object cap = q == null ? null : q.get("spec", "capability", ProbeSession.GPU);
            return Optional.ofNullable(cap).map(c -> Integer.parseInt(c.toString()));
        }
        GenericKubernetesResource q = clusterQueue(queue);
        Object nominal = q == null ? null
                : q.get("spec", "resourceGroups", 0, "flavors", 0, "resources", 0, "nominalQuota");
        return Optional.ofNullable(nominal).map(c -> Integer.parseInt(c.toString()));
    }

    private GenericKubernetesResource clusterQueue(String name) {
        return queues.get(name);
    }

    private Optional<String> cohort(String queue) {
        if (kind == Kind.VOLCANO) {
            return Optional.empty();
        }
        GenericKubernetesResource q = clusterQueue(queue);
        return Optional.ofNullable(q == null ? null : (String) q.get("spec", "cohort"));
    }

    private List<String> cohortQueues(String cohort) {
        return queues.values().stream()
                .filter(q -> cohort.equals(q.get("spec", "cohort"))).map(q -> q.getMetadata().getName())
                .collect(Collectors.toList());
    }

    private static List<String> allowedNodes(Pod pod) {
        var affinity = pod.getSpec().getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null) {
            return List.of();
        }
        return affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()
                .stream().flatMap(t -> t.getMatchExpressions().stream())
                .filter(e -> e.getKey().equals("kubernetes.io/hostname"))
                .map(NodeSelectorRequirement::getValues).flatMap(List::stream).toList();
    }

    /** Writes the scheduler's word that a group waits, where the real one writes it. */
    private void hold(Group group, String message) {
        String namespace = group.pending().getFirst().pod().getMetadata().getNamespace();
        if (kind == Kind.VOLCANO) {
            GenericKubernetesResource podGroup = podGroups.get(group.key());
            if (podGroup == null || podGroup.get("status") != null) {
                return;
            }
            client.genericKubernetesResources(VolcanoScheduler.POD_GROUPS).inNamespace(namespace).withName(group.key())
                    .edit(g -> {
                        g.setAdditionalProperty("status", Map.of("phase", "Pending", "conditions", List.of(Map.of(
                                "type", "Unschedulable", "status", "True", "reason", "NotEnoughResources",
                                "message", message))));
                        return g;
                    });
            return;
        }
        var workloads = client.genericKubernetesResources(KueueScheduler.WORKLOADS).inNamespace(namespace);
        if (workloads.withName(group.key()).get() != null) {
            return;
        }
        GenericKubernetesResource workload = new GenericKubernetesResource();
        workload.setApiVersion("kueue.x-k8s.io/v1beta1");
        workload.setKind("Workload");
        workload.setMetadata(new ObjectMetaBuilder().withName(group.key())
                .withNamespace(namespace).build());
        workload.setAdditionalProperty("spec", Map.of("queueName", group.queue()));
        workload.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "QuotaReserved",
                "status", "False", "reason", "Pending",
                "message", "couldn't assign flavors to pod set main: " + message))));
        workloads.resource(workload).create();
    }

    List<Pod> seen() {
        return List.copyOf(seenPods.values());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        loop.join();
        if (failure != null) {
            throw new AssertionError("the stand-in scheduler failed", failure);
        }
    }
}
