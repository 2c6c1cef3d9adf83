package dev.pitwall.acceptance.probe;

import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * How a batch scheduler is asked for gangs and queues, and how it says a gang must wait:
 * Volcano (PodGroups, Queues) or Kueue (pod groups, ClusterQueues with LocalQueues).
 */
public sealed interface GangScheduler permits VolcanoScheduler, KueueScheduler {

    /** A gang to submit: {@code size} pods of {@code gpusPerPod} GPUs, all or none. */
    record Gang(String what, int size, int gpusPerPod, String queue, Optional<String> topologyLevel,
                List<String> nodes) {

        /** The short names of its pods. */
        public List<String> pods() {
            return IntStream.range(0, size).mapToObj(i -> what + "-" + i).toList();
        }
    }

    String describe();

    /**
     * Creates a queue of this run; {@code gpus} caps what it may use (empty: no cap).
     *
     * @return the name pods are submitted under
     */
    String createQueue(ProbeSession session, String what, OptionalInt gpus);

    /**
     * Creates one of several queues of equal weight that share the same nodes ({@code group}: a
     * Kueue cohort, where each queue is guaranteed {@code fairShare} GPUs and may borrow the rest;
     * Volcano queues of weight 1 with no cap).
     */
    String createSharedQueue(ProbeSession session, String what, int fairShare, String group);

    /** Submits a gang; {@code gang.nodes()} (when not empty) is where its pods may go. */
    void submit(ProbeSession session, Gang gang, String image, List<String> command);

    /**
     * The scheduler's own word that the gang waits (a PodGroup's Unschedulable condition, a
     * Workload's QuotaReserved=False), or empty while it has said nothing.
     */
    Optional<String> heldBecause(ProbeSession session, Gang gang);

    /** Node affinity restricting a pod to some nodes, shared by both schedulers' pods. */
    static void restrictTo(Pod pod, List<String> nodes) {
        if (nodes.isEmpty()) {
            return;
        }
        pod.getSpec().setAffinity(new AffinityBuilder().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey("kubernetes.io/hostname").withOperator("In").withValues(nodes)
                .endMatchExpression().endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().build());
    }

    /** The conditions of a status, as {@code type → [status, reason, message]}. */
    static Map<String, List<String>> conditions(Object conditions) {
        Map<String, List<String>> byType = new LinkedHashMap<>();
        if (conditions instanceof List<?> list) {
            for (Object c : list) {
                if (c instanceof Map<?, ?> m) {
                    byType.put(String.valueOf(m.get("type")), List.of(String.valueOf(m.get("status")),
                            String.valueOf(m.get("reason")), String.valueOf(m.get("message"))));
                }
            }
        }
        return byType;
    }
}
