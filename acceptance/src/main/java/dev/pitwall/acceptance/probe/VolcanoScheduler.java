package dev.pitwall.acceptance.probe;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Volcano: a gang is a PodGroup ({@code minMember}, its queue, for topology a hard
 * {@code networkTopology} of tier 1) with pods annotated {@code scheduling.k8s.io/group-name}
 * and scheduled by {@code volcano}; a queue is a Queue ({@code capability}, {@code weight}).
 */
public record VolcanoScheduler(String schedulerName) implements GangScheduler {

    public static final ResourceDefinitionContext POD_GROUPS = new ResourceDefinitionContext.Builder()
            .withGroup("scheduling.volcano.sh").withVersion("v1beta1").withKind("PodGroup").withPlural("podgroups")
            .withNamespaced(true).build();
    public static final ResourceDefinitionContext QUEUES = new ResourceDefinitionContext.Builder()
            .withGroup("scheduling.volcano.sh").withVersion("v1beta1").withKind("Queue").withPlural("queues")
            .withNamespaced(false).build();
    static final String GROUP_ANNOTATION = "scheduling.k8s.io/group-name";

    @Override
    public String describe() {
        return "Volcano (scheduler " + schedulerName + ")";
    }

    @Override
    public String createQueue(ProbeSession session, String what, OptionalInt gpus) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("weight", 1);
        spec.put("reclaimable", false);
        gpus.ifPresent(g -> spec.put("capability", Map.of(ProbeSession.GPU, Integer.toString(g))));
        GenericKubernetesResource queue = new GenericKubernetesResource();
        queue.setApiVersion("scheduling.volcano.sh/v1beta1");
        queue.setKind("Queue");
        queue.setMetadata(session.meta(what, false));
        queue.setAdditionalProperty("spec", spec);
        return session.create(QUEUES, queue).getMetadata().getName();
    }

    @Override
    public String createSharedQueue(ProbeSession session, String what, int fairShare, String group) {
        // Volcano's proportion plugin divides by weight; a cap would make any scheduler look fair.
        return createQueue(session, what, OptionalInt.empty());
    }

    @Override
    public void submit(ProbeSession session, Gang gang, String image, List<String> command) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("minMember", gang.size());
        spec.put("queue", gang.queue());
        session.priorityClass().ifPresent(p -> spec.put("priorityClassName", p));
        gang.topologyLevel().ifPresent(level -> spec.put("networkTopology", Map.of("mode", "hard",
                "highestTierAllowed", 1)));
        GenericKubernetesResource group = new GenericKubernetesResource();
        group.setApiVersion("scheduling.volcano.sh/v1beta1");
        group.setKind("PodGroup");
        group.setMetadata(session.meta(gang.what(), true));
        group.setAdditionalProperty("spec", spec);
        session.create(POD_GROUPS, group);
        for (String pod : gang.pods()) {
            Pod built = session.pod(pod, gang.gpusPerPod(), image, command)
                    .editMetadata().addToAnnotations(GROUP_ANNOTATION, session.name(gang.what()))
                    .addToAnnotations("scheduling.volcano.sh/queue-name", gang.queue()).endMetadata()
                    .editSpec().withSchedulerName(schedulerName).endSpec().build();
            GangScheduler.restrictTo(built, gang.nodes());
            session.create(built);
        }
    }

    @Override
    public Optional<String> heldBecause(ProbeSession session, Gang gang) {
        GenericKubernetesResource group = session.client().genericKubernetesResources(POD_GROUPS)
                .inNamespace(session.namespace()).withName(session.name(gang.what())).get();
        if (group == null) {
            return Optional.empty();
        }
        List<String> unschedulable = GangScheduler.conditions(group.get("status", "conditions")).get("Unschedulable");
        if (unschedulable != null && unschedulable.get(0).equals("True")) {
            return Optional.of("PodGroup " + group.getMetadata().getName() + " Unschedulable ("
                    + unschedulable.get(1) + "): " + unschedulable.get(2));
        }
        return Optional.empty();
    }
}
