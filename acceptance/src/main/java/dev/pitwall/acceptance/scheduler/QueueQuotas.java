package dev.pitwall.acceptance.scheduler;

import static dev.pitwall.acceptance.scheduler.SchedulerSnapshot.name;
import static dev.pitwall.acceptance.scheduler.SchedulerSnapshot.namespace;
import static dev.pitwall.acceptance.scheduler.SchedulerSnapshot.quantity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The GPU quotas of a snapshot's queues: a Volcano Queue's {@code capability}, a Kueue
 * ClusterQueue's nominal quota plus what it may borrow from its cohort (up to its
 * {@code borrowingLimit}), reached from a pod's LocalQueue.
 */
final class QueueQuotas {

    /**
     * The most GPUs a queue's workloads may hold at once.
     *
     * @param nominal its own quota (Kueue) or cap (Volcano)
     * @param covers  whether the queue covers GPUs at all (a Kueue ClusterQueue may not)
     */
    record Limit(String queue, int nominal, int ceiling, boolean covers, String how) {
    }

    private final SchedulerSnapshot snapshot;
    private final Map<String, JsonNode> volcano = new HashMap<>();
    private final Map<String, JsonNode> clusterQueues = new HashMap<>();
    private final Map<String, String> localToCluster = new HashMap<>();

    QueueQuotas(SchedulerSnapshot snapshot) {
        this.snapshot = snapshot;
        snapshot.queues().forEach(q -> volcano.put(name(q), q));
        snapshot.clusterQueues().forEach(q -> clusterQueues.put(name(q), q));
        snapshot.localQueues().forEach(q -> localToCluster.put(namespace(q) + "/" + name(q),
                q.path("spec").path("clusterQueue").asText()));
    }

    /** Whether the snapshot holds queues of the gang's kind, so a queue not there is really missing. */
    boolean knows(boolean kueue) {
        return kueue ? !snapshot.localQueues().isEmpty() : !snapshot.queues().isEmpty();
    }

    boolean hasVolcanoQueue(String queue) {
        return volcano.containsKey(queue);
    }

    /** A Volcano Queue's limit; empty when the queue has no GPU cap or is not in the snapshot. */
    Optional<Limit> volcano(String queue) {
        JsonNode q = volcano.get(queue);
        if (q == null || q.path("spec").path("capability").path(SchedulerSnapshot.GPU).isMissingNode()) {
            return Optional.empty();
        }
        int cap = quantity(q.path("spec").path("capability").path(SchedulerSnapshot.GPU));
        return Optional.of(new Limit("Queue " + queue, cap, cap, true, "capability " + cap + " GPUs"));
    }

    /** The ClusterQueue behind a LocalQueue ({@code namespace/name}), empty when no such LocalQueue. */
    Optional<String> clusterQueueOf(String localQueue) {
        return Optional.ofNullable(localToCluster.get(localQueue));
    }

    /** A Kueue ClusterQueue's limit; empty when the ClusterQueue is not in the snapshot. */
    Optional<Limit> kueue(String clusterQueue) {
        JsonNode q = clusterQueues.get(clusterQueue);
        if (q == null) {
            return Optional.empty();
        }
        Gpus own = gpus(q);
        String cohort = cohort(q);
        int borrowable = 0;
        if (!cohort.isEmpty()) {
            for (JsonNode other : snapshot.clusterQueues()) {
                if (other != q && cohort.equals(cohort(other))) {
                    borrowable += gpus(other).nominal();
                }
            }
            if (own.borrowingLimit() != null) {
                borrowable = Math.min(borrowable, own.borrowingLimit());
            }
        }
        String how = "nominal quota " + own.nominal() + " GPUs" + (cohort.isEmpty() ? ""
                : ", borrowing up to " + borrowable + " from cohort " + cohort);
        return Optional.of(new Limit("ClusterQueue " + clusterQueue, own.nominal(), own.nominal() + borrowable,
                own.covered(), how));
    }

    private record Gpus(boolean covered, int nominal, Integer borrowingLimit) {
    }

    /** A ClusterQueue's GPU quota summed over its flavors. */
    private static Gpus gpus(JsonNode clusterQueue) {
        boolean covered = false;
        int nominal = 0;
        Integer borrowing = null;
        for (JsonNode group : clusterQueue.path("spec").path("resourceGroups")) {
            for (JsonNode covers : group.path("coveredResources")) {
                covered |= covers.asText().equals(SchedulerSnapshot.GPU);
            }
            for (JsonNode flavor : group.path("flavors")) {
                for (JsonNode resource : flavor.path("resources")) {
                    if (resource.path("name").asText().equals(SchedulerSnapshot.GPU)) {
                        nominal += quantity(resource.path("nominalQuota"));
                        if (resource.has("borrowingLimit")) {
                            borrowing = (borrowing == null ? 0 : borrowing) + quantity(resource.path("borrowingLimit"));
                        }
                    }
                }
            }
        }
        return new Gpus(covered, nominal, borrowing);
    }

    /** Kueue v1beta1's {@code cohort}, or v1beta2's {@code cohortName}. */
    private static String cohort(JsonNode clusterQueue) {
        JsonNode spec = clusterQueue.path("spec");
        return spec.path("cohort").asText(spec.path("cohortName").asText(""));
    }
}
