package dev.pitwall.acceptance.probe;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One run of probes against a cluster: the namespace they work in, the label that marks
 * everything they create ({@value #LABEL} = the run's id), the lowest priority class (so real
 * work always wins), and the time budget. What the run creates it deletes again on close, newest
 * first, and a probe that cannot finish by the deadline is told so rather than left waiting.
 */
public final class ProbeSession implements AutoCloseable {

    /** The label on every object a probe run creates; its value is the run's id. */
    public static final String LABEL = "pitwall.dev/probe";

    static final String GPU = "nvidia.com/gpu";

    private final KubernetesClient client;
    private final String namespace;
    private final String runId;
    private final Optional<String> priorityClass;
    private final Instant deadline;
    private final Clock clock;
    private final Duration poll;
    private final Deque<Runnable> cleanups = new ArrayDeque<>();

    /**
     * @param priorityClass the class probe pods run at; empty: the cluster's lowest-valued one, or
     *                      none when the cluster defines none
     * @param budget        how long the whole run may take
     * @param poll          how often a wait reads the API again
     */
    public ProbeSession(KubernetesClient client, String namespace, String runId, Optional<String> priorityClass,
                        Duration budget, Duration poll, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.runId = runId;
        this.clock = clock;
        this.poll = poll;
        this.deadline = clock.instant().plus(budget);
        this.priorityClass = priorityClass.or(() -> lowestPriorityClass(client));
    }

    private static Optional<String> lowestPriorityClass(KubernetesClient client) {
        return client.scheduling().v1().priorityClasses().list().getItems().stream()
                .min(Comparator.comparingInt(PriorityClass::getValue))
                .map(p -> p.getMetadata().getName());
    }

    public KubernetesClient client() {
        return client;
    }

    public String namespace() {
        return namespace;
    }

    /** The run's id, the value of {@value #LABEL} on everything it creates. */
    public String runId() {
        return runId;
    }

    public Optional<String> priorityClass() {
        return priorityClass;
    }

    /** A name for one of this run's objects: {@code pitwall-<run>-<what>}. */
    public String name(String what) {
        return "pitwall-" + runId + "-" + what;
    }

    /** Metadata for one of this run's objects, labelled as the run's. */
    public ObjectMeta meta(String what, boolean namespaced) {
        ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(name(what)).addToLabels(LABEL, runId);
        return namespaced ? meta.withNamespace(namespace).build() : meta.build();
    }

    /**
     * A probe pod: one container asking for {@code gpus} GPUs and nothing else (a quota system
     * then sees only GPUs), at the run's priority class, tolerating the GPU taint, stopping at once
     * when deleted. It runs {@code command} in {@code image}, or the image's own entry point.
     */
    public PodBuilder pod(String what, int gpus, String image, List<String> command) {
        return new PodBuilder().withMetadata(meta(what, true))
                .withNewSpec()
                .withRestartPolicy("Never")
                .withTerminationGracePeriodSeconds(0L)
                .withPriorityClassName(priorityClass.orElse(null))
                .addNewToleration().withKey(GPU).withOperator("Exists").withEffect("NoSchedule").endToleration()
                .addNewContainer().withName("probe").withImage(image).withCommand(command.isEmpty() ? null : command)
                .withNewResources().addToLimits(gpus > 0 ? Map.of(GPU, new Quantity(Integer.toString(gpus))) : Map.of())
                .endResources().endContainer()
                .endSpec();
    }

    /** Creates a pod of this run; it is deleted on close if still there. */
    public Pod create(Pod pod) {
        Pod created = client.pods().inNamespace(namespace).resource(pod).create();
        String name = created.getMetadata().getName();
        cleanups.push(() -> client.pods().inNamespace(namespace).withName(name).delete());
        return created;
    }

    /** Creates a custom object of this run (PodGroup, Queue, ClusterQueue…); deleted on close. */
    public GenericKubernetesResource create(ResourceDefinitionContext kind, GenericKubernetesResource object) {
        MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
                objects = client.genericKubernetesResources(kind);
        GenericKubernetesResource created = kind.isNamespaceScoped()
                ? objects.inNamespace(namespace).resource(object).create()
                : objects.resource(object).create();
        String name = created.getMetadata().getName();
        cleanups.push(() -> (kind.isNamespaceScoped() ? objects.inNamespace(namespace).withName(name)
                : objects.withName(name)).delete());
        return created;
    }

    /** The pods of this run (not of another run sharing the namespace). */
    public List<Pod> pods() {
        return client.pods().inNamespace(namespace).withLabel(LABEL, runId).list().getItems();
    }

    /** A pod of this run's short name, as {@link #pod(String)} takes it. */
    public String shortName(Pod pod) {
        return pod.getMetadata().getName().substring(name("").length());
    }

    /** The run's pod by its short name, or null once it is gone. */
    public Pod pod(String what) {
        return client.pods().inNamespace(namespace).withName(name(what)).get();
    }

    /** Deletes pods of this run and waits until the API no longer lists them. */
    public void deletePods(List<String> whats) {
        for (String what : whats) {
            client.pods().inNamespace(namespace).withName(name(what)).delete();
        }
        await(() -> whats.stream().filter(w -> pod(w) != null).count(), left -> left == 0, Duration.ofMinutes(2));
    }

    /** How long is left of the run's budget. */
    public Duration left() {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public Instant now() {
        return clock.instant();
    }

    /**
     * Reads {@code state} until {@code done} holds, for at most {@code max} and never past the
     * run's deadline; returns the last state read and whether it was done.
     */
    public <T> Awaited<T> await(Supplier<T> state, Predicate<T> done, Duration max) {
        Instant until = clock.instant().plus(max.compareTo(left()) < 0 ? max : left());
        T last = state.get();
        while (!done.test(last)) {
            if (!clock.instant().isBefore(until)) {
                return new Awaited<>(last, false);
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Awaited<>(last, false);
            }
            last = state.get();
        }
        return new Awaited<>(last, true);
    }

    /** What a wait last read, and whether its condition held. */
    public record Awaited<T>(T state, boolean done) {
    }

    /** Deletes what the run created, newest first; one refusal does not stop the rest. */
    @Override
    public void close() {
        while (!cleanups.isEmpty()) {
            try {
                cleanups.pop().run();
            } catch (KubernetesClientException e) {
                // Already gone, or refused: the label still marks it for kubectl delete -l.
            }
        }
    }
}
