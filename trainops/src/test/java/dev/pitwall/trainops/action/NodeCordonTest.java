package dev.pitwall.trainops.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

/** Cordoning against fabric8's Kubernetes mock server, which keeps nodes as an API server would (CRUD mode). */
@EnableKubernetesMockClient(crud = true)
class NodeCordonTest {

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void marksTheNodeUnschedulableAndSaysWhy() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("gpu-a07")
                .addToLabels("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3").endMetadata().build()).create();
        NodeCordon cordon = new NodeCordon(client);

        NodeCordon.Result result = cordon.cordon("gpu-a07", "incident 12 (Xid 79), by alice");
        assertThat(result.alreadyCordoned()).isFalse();
        Node node = client.nodes().withName("gpu-a07").get();
        assertThat(node.getSpec().getUnschedulable()).isTrue();
        assertThat(node.getMetadata().getAnnotations()).containsEntry(NodeCordon.ANNOTATION, "incident 12 (Xid 79), by alice");
        assertThat(node.getMetadata().getLabels()).containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3");

        assertThat(cordon.cordon("gpu-a07", "incident 13, by bob").alreadyCordoned()).isTrue();
        assertThat(client.nodes().withName("gpu-a07").get().getMetadata().getAnnotations())
                .containsEntry(NodeCordon.ANNOTATION, "incident 13, by bob");
        assertThatThrownBy(() -> cordon.cordon("gpu-z99", "incident 14")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the cluster has no node gpu-z99");
    }
}
