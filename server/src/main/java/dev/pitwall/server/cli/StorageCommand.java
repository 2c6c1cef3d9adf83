package dev.pitwall.server.cli;

import dev.pitwall.acceptance.probe.ProbeSession;
import dev.pitwall.acceptance.probe.StorageProbe;
import dev.pitwall.acceptance.store.RunKind;
import dev.pitwall.acceptance.verdict.Finding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "storage", mixinStandardHelpOptions = true,
        description = {"Check a storage class end to end on the live cluster: a volume is provisioned through its CSI "
                + "driver, one probe pod writes 64 MiB and its SHA-256, a second pod mounting the volume reads it back "
                + "and verifies it, then several pods at once (spread over nodes) run fio, sequential 1 MiB write then "
                + "read, for the aggregate bandwidth; last, the volumes are deleted and their PersistentVolumes must go "
                + "too. Everything created is labelled pitwall.dev/probe=<run> and deleted at the end.",
            "Exit 0 when nothing fails, 1 when something does, 2 when the cluster cannot be read."})
final class StorageCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--storage-class", paramLabel = "NAME", required = true, description = "The StorageClass to check.")
    String storageClass;

    @Option(names = "--size", paramLabel = "QUANTITY", defaultValue = "10Gi",
            description = "Each volume's size (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--pods", paramLabel = "N", defaultValue = "4",
            description = "How many pods run fio at once (default: ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--shared", description = "One ReadWriteMany volume for all fio pods (a shared file system) "
            + "instead of a ReadWriteOnce volume each.")
    boolean shared;

    @Option(names = "--fio-size", paramLabel = "SIZE", defaultValue = "4G",
            description = "How much each fio pod writes, then reads (default: ${DEFAULT-VALUE}).")
    String fioSize;

    @Option(names = "--min-read", paramLabel = "GB/s", description = "The aggregate read bandwidth to reach, in GB/s.")
    Double minRead;

    @Option(names = "--min-write", paramLabel = "GB/s", description = "The aggregate write bandwidth to reach, in GB/s.")
    Double minWrite;

    @Option(names = "--image", paramLabel = "IMAGE", defaultValue = "ghcr.io/kastenhq/kubestr:latest",
            description = "An image with sh, sha256sum and fio (default: ${DEFAULT-VALUE}).")
    String image;

    @Option(names = "--stage-timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "How long one stage (provision and write, read back, fio) may take (default: ${DEFAULT-VALUE}).")
    Duration stageTimeout;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    FindingsReport report;

    @Override
    public Integer call() throws IOException {
        Optional<String> refused = report.refusedFormat();
        if (refused.isPresent()) {
            return PitwallCommand.usageError(spec, refused.get());
        }
        if (pods < 1) {
            return PitwallCommand.usageError(spec, "--pods must be at least 1");
        }
        Config config = cluster.config();
        try (KubernetesClient client = ClusterOptions.connect(config)) {
            try {
                client.storage().v1().storageClasses().list();
            } catch (KubernetesClientException e) {
                return PitwallCommand.usageError(spec, "cannot read the cluster's StorageClasses at "
                        + config.getMasterUrl() + ": " + e.getMessage());
            }
            boolean madeNamespace = cluster.ensureNamespace(client);
            String run = ClusterOptions.runId();
            StorageProbe.Settings settings = new StorageProbe.Settings(storageClass, size, pods, shared, image, fioSize,
                    gigabytes(minRead), gigabytes(minWrite), stageTimeout);
            List<Finding> findings;
            try (ProbeSession session = new ProbeSession(client, cluster.namespace, run,
                    Optional.ofNullable(cluster.priorityClass), cluster.budget, Duration.ofSeconds(1), Clock.systemUTC())) {
                findings = new StorageProbe(settings).run(session);
            } finally {
                if (madeNamespace) {
                    client.namespaces().withName(cluster.namespace).delete();
                }
            }
            return report.write(spec, RunKind.STORAGE_INTERFACE.named(storageClass + " at " + config.getMasterUrl()),
                    "Storage class " + storageClass + " at " + config.getMasterUrl() + " (run " + run + ")",
                    List.of("cluster"), findings, findings.size(), Map.of("run", run, "storage_class", storageClass));
        }
    }

    private static OptionalDouble gigabytes(Double perSecond) {
        return perSecond == null ? OptionalDouble.empty() : OptionalDouble.of(perSecond * 1e9);
    }
}
