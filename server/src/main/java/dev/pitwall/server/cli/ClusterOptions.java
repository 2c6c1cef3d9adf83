package dev.pitwall.server.cli;

import dev.pitwall.acceptance.probe.ProbeSession;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Which cluster live probes work on, where, at which priority, for how long. */
final class ClusterOptions {

    @Mixin
    KubeconfigOptions kube;

    @Option(names = "--namespace", paramLabel = "NAME", defaultValue = "pitwall-probes",
            description = "Where probe pods run; created (and deleted after) when missing (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--priority-class", paramLabel = "NAME",
            description = "The PriorityClass of probe pods (default: the cluster's lowest-valued one).")
    String priorityClass;

    @Option(names = "--budget", paramLabel = "DURATION", defaultValue = "15m",
            description = "The longest the whole run may take (default: ${DEFAULT-VALUE}).")
    Duration budget;

    Config config() {
        return kube.config();
    }

    static KubernetesClient connect(Config config) {
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Creates the probes' namespace when it is missing; true when it did (so the run deletes it after). */
    boolean ensureNamespace(KubernetesClient client) {
        if (client.namespaces().withName(namespace).get() != null) {
            return false;
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                .addToLabels(ProbeSession.LABEL, "namespace").endMetadata().build()).create();
        return true;
    }

    /** A short id for one run, the value of the label on everything it creates. */
    static String runId() {
        return Long.toString(System.nanoTime() & 0xffffff, 36);
    }
}
