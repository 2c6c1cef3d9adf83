package dev.pitwall.trainops.action;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.Map;

/**
 * Cordons a node through the Kubernetes API, as {@code kubectl cordon} does: the node is marked
 * unschedulable, so no new pod lands on it while its running pods are left alone. Pitwall's
 * annotation on the node says which incident and who asked, for whoever looks at it next.
 */
public final class NodeCordon implements AutoCloseable {

    /** Annotation naming the incident that had the node cordoned. */
    public static final String ANNOTATION = "pitwall.dev/cordoned-for";

    private final KubernetesClient client;

    public NodeCordon(KubernetesClient client) {
        this.client = client;
    }

    /** A client for the configured cluster; empty master URL: in-cluster service account or kubeconfig. */
    public static NodeCordon connect(KubernetesConfig config) {
        // What kubectl would use (service account, KUBECONFIG, ~/.kube/config), with the configured server instead.
        ConfigBuilder settings = new ConfigBuilder(Config.autoConfigure(null));
        if (!config.masterUrl().isEmpty()) {
            settings.withMasterUrl(config.masterUrl());
        }
        return new NodeCordon(new KubernetesClientBuilder().withConfig(settings.build()).build());
    }

    /**
     * @param alreadyCordoned the node was unschedulable before (the annotation is still written)
     */
    public record Result(String node, boolean alreadyCordoned) {
    }

    /**
     * @throws IllegalArgumentException when the cluster has no such node
     * @throws KubernetesClientException when the API refuses or cannot be reached
     */
    public Result cordon(String node, String reason) {
        Node current = client.nodes().withName(node).get();
        if (current == null) {
            throw new IllegalArgumentException("the cluster has no node " + node);
        }
        boolean already = current.getSpec() != null && Boolean.TRUE.equals(current.getSpec().getUnschedulable());
        client.nodes().withName(node).edit(n -> {
            if (n.getSpec() == null) {
                n.setSpec(new NodeSpec());
            }
            n.getSpec().setUnschedulable(true);
            Map<String, String> annotations = new HashMap<>(n.getMetadata().getAnnotations() == null
                    ? Map.of() : n.getMetadata().getAnnotations());
            annotations.put(ANNOTATION, reason);
            n.getMetadata().setAnnotations(annotations);
            return n;
        });
        return new Result(node, already);
    }

    @Override
    public void close() {
        client.close();
    }
}
