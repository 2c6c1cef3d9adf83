package dev.pitwall.acceptance.probe;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Kueue: a gang is a pod group (pods labelled {@code kueue.x-k8s.io/pod-group-name} and the
 * LocalQueue, annotated with the group's size and, for topology,
 * {@code kueue.x-k8s.io/podset-required-topology}); a queue is a ClusterQueue with its own
 * ResourceFlavor (tied to the cluster's Topology when it has one) and a LocalQueue in the
 * probes' namespace. Kueue admits a group once its quota is reserved and lifts the pods'
 * scheduling gate; it says a group waits with the Workload's QuotaReserved=False condition.
 */
public record KueueScheduler(Optional<String> topology) implements GangScheduler {

    private static final String GROUP = "kueue.x-k8s.io";
    private static final String VERSION = "v1beta1";
    public static final ResourceDefinitionContext CLUSTER_QUEUES = kind("ClusterQueue", "clusterqueues", false);
    public static final ResourceDefinitionContext LOCAL_QUEUES = kind("LocalQueue", "localqueues", true);
    public static final ResourceDefinitionContext FLAVORS = kind("ResourceFlavor", "resourceflavors", false);
    public static final ResourceDefinitionContext WORKLOADS = kind("Workload", "workloads", true);
    static final String QUEUE_LABEL = "kueue.x-k8s.io/queue-name";
    static final String GROUP_LABEL = "kueue.x-k8s.io/pod-group-name";
    static final String GROUP_COUNT = "kueue.x-k8s.io/pod-group-total-count";
    static final String REQUIRED_TOPOLOGY = "kueue.x-k8s.io/podset-required-topology";
    /** No cap: more GPUs than any cluster has, so only the nodes limit the queue. */
    private static final int UNCAPPED = 1_000_000;

    private static ResourceDefinitionContext kind(String kind, String plural, boolean namespaced) {
        return new ResourceDefinitionContext.Builder().withGroup(GROUP).withVersion(VERSION).withKind(kind)
                .withPlural(plural).withNamespaced(namespaced).build();
    }

    /** Kueue's Topology objects (alpha in Kueue 0.9 to 0.13). */
    public static final ResourceDefinitionContext TOPOLOGIES = new ResourceDefinitionContext.Builder().withGroup(GROUP)
            .withVersion("v1alpha1").withKind("Topology").withPlural("topologies").withNamespaced(false).build();

    /**
     * The node label of a Topology's lowest level above the hostname: the domain a two-node job
     * asking for one domain must stay in. Empty when the Topology is missing or has no such level.
     */
    public static Optional<String> domainLevel(KubernetesClient client, String topology) {
        GenericKubernetesResource found = client.genericKubernetesResources(TOPOLOGIES).withName(topology).get();
        if (found == null || !(found.get("spec", "levels") instanceof List<?> levels)) {
            return Optional.empty();
        }
        List<String> labels = levels.stream().filter(l -> l instanceof Map<?, ?>)
                .map(l -> String.valueOf(((Map<?, ?>) l).get("nodeLabel")))
                .filter(l -> !l.equals("kubernetes.io/hostname")).toList();
        return labels.isEmpty() ? Optional.empty() : Optional.of(labels.getLast());
    }

    @Override
    public String describe() {
        return "Kueue" + topology.map(t -> " (Topology " + t + ")").orElse("");
    }

    @Override
    public String createQueue(ProbeSession session, String what, OptionalInt gpus) {
        return clusterQueue(session, what, gpus.orElse(UNCAPPED), Optional.empty());
    }

    @Override
    public String createSharedQueue(ProbeSession session, String what, int fairShare, String group) {
        return clusterQueue(session, what, fairShare, Optional.of(group));
    }

    private String clusterQueue(ProbeSession session, String what, int gpus, Optional<String> group) {
        String flavor = session.name("flavor");
        if (session.client().genericKubernetesResources(FLAVORS).withName(flavor).get() == null) {
            Map<String, Object> flavorSpec = new LinkedHashMap<>();
            topology.ifPresent(t -> flavorSpec.put("topologyName", t));
            session.create(FLAVORS, object("ResourceFlavor", session, "flavor", false, flavorSpec));
        }
        String quota = Integer.toString(gpus);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("namespaceSelector", Map.of());
        group.ifPresent(g -> spec.put("cohort", session.name(g)));
        spec.put("resourceGroups", List.of(Map.of("coveredResources", List.of(ProbeSession.GPU),
                "flavors", List.of(Map.of("name", flavor, "resources",
                        List.of(Map.of("name", ProbeSession.GPU, "nominalQuota", quota)))))));
        String clusterQueue = session.create(CLUSTER_QUEUES, object("ClusterQueue", session, what, false, spec))
                .getMetadata().getName();
        return session.create(LOCAL_QUEUES, object("LocalQueue", session, what, true,
                Map.of("clusterQueue", clusterQueue))).getMetadata().getName();
    }

    private static GenericKubernetesResource object(String kind, ProbeSession session, String what, boolean namespaced,
                                                    Map<String, Object> spec) {
        GenericKubernetesResource object = new GenericKubernetesResource();
        object.setApiVersion(GROUP + "/" + VERSION);
        object.setKind(kind);
        object.setMetadata(session.meta(what, namespaced));
        object.setAdditionalProperty("spec", spec);
        return object;
    }

    @Override
    public void submit(ProbeSession session, Gang gang, String image, List<String> command) {
        for (String pod : gang.pods()) {
            Pod built = session.pod(pod, gang.gpusPerPod(), image, command)
                    .editMetadata().addToLabels(QUEUE_LABEL, gang.queue())
                    .addToLabels(GROUP_LABEL, session.name(gang.what()))
                    .addToAnnotations(GROUP_COUNT, Integer.toString(gang.size())).endMetadata().build();
            gang.topologyLevel().ifPresent(level -> built.getMetadata().getAnnotations().put(REQUIRED_TOPOLOGY, level));
            GangScheduler.restrictTo(built, gang.nodes());
            session.create(built);
        }
    }

    @Override
    public Optional<String> heldBecause(ProbeSession session, Gang gang) {
        Set<String> pods = Set.copyOf(gang.pods().stream().map(session::name).toList());
        String groupName = session.name(gang.what());
        for (GenericKubernetesResource workload : session.client().genericKubernetesResources(WORKLOADS)
                .inNamespace(session.namespace()).list().getItems()) {
            List<OwnerReference> owners = workload.getMetadata().getOwnerReferences();
            boolean ours = workload.getMetadata().getName().equals(groupName)
                    || (owners != null && owners.stream().anyMatch(o -> pods.contains(o.getName())));
            if (!ours) {
                continue;
            }
            List<String> reserved = GangScheduler.conditions(workload.get("status", "conditions")).get("QuotaReserved");
            if (reserved != null && reserved.get(0).equals("False")) {
                return Optional.of("Workload " + workload.getMetadata().getName() + " QuotaReserved=False ("
                        + reserved.get(1) + "): " + reserved.get(2));
            }
        }
        return Optional.empty();
    }
}
