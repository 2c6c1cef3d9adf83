package dev.pitwall.server.cli;

import io.fabric8.kubernetes.client.Config;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which Kubernetes cluster a command talks to: a kubeconfig and its context, found as kubectl finds them. */
final class KubeconfigOptions {

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "The kubeconfig (default: as kubectl finds it: KUBECONFIG, ~/.kube/config, in-cluster).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context (default: its current one).")
    String context;

    Config config() {
        Config config = kubeconfig != null ? Config.fromKubeconfig(context, kubeconfig.toFile()) : Config.autoConfigure(context);
        // An unreachable API server is said in seconds, not after the client's ten backed-off retries.
        config.setRequestRetryBackoffLimit(1);
        return config;
    }
}
