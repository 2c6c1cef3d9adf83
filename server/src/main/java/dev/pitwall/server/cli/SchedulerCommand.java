package dev.pitwall.server.cli;

import dev.pitwall.acceptance.probe.GangScheduler;
import dev.pitwall.acceptance.probe.KueueScheduler;
import dev.pitwall.acceptance.probe.ProbeSession;
import dev.pitwall.acceptance.probe.SchedulerProbes;
import dev.pitwall.acceptance.probe.VolcanoScheduler;
import dev.pitwall.acceptance.scheduler.SchedulerSnapshot;
import dev.pitwall.acceptance.scheduler.SnapshotCheck;
import dev.pitwall.acceptance.store.RunKind;
import dev.pitwall.acceptance.verdict.Finding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "scheduler", mixinStandardHelpOptions = true,
        description = {"Check a cluster's scheduling, live or from a snapshot.",
            "Live (the cluster kubectl's configuration names): small probe workloads at the lowest priority class, on "
                + "idle nodes only, submitted to Volcano or Kueue: an 8-GPU job lands on one whole node; a 2-node gang "
                + "starts all or nothing; a gang bigger than the cluster starts nothing; a job asking for one rack or "
                + "block lands inside one; a job over its queue's quota waits and is admitted when room appears; two "
                + "equal queues converge to equal shares. Everything created is labelled pitwall.dev/probe=<run> and "
                + "deleted at the end; the run stops at --budget.",
            "Snapshot (--snapshot DIR of kubectl JSON: nodes, pods, Volcano PodGroups, Queues and HyperNodes, Kueue pod "
                + "groups, Topologies, ClusterQueues and LocalQueues): gangs that can never fit, gangs over their queue's "
                + "quota or naming a queue that is not there, gangs partly running past their timeout, gangs blocking "
                + "each other, Kueue quotas above the cluster's GPUs, topologies that are not a strict tree or nodes "
                + "missing a level's label, and free GPUs only in pieces smaller than any pending pod asks. Collect with: "
                + "kubectl get nodes,pods -A -o json > DIR/cluster.json; kubectl get podgroups,queues -A -o json > "
                + "DIR/volcano.json; kubectl get topologies,clusterqueues,localqueues -A -o json > DIR/kueue.json.",
            "Exit 0 when nothing fails, 1 when something does, 2 when the snapshot or the cluster cannot be read."})
final class SchedulerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--snapshot", paramLabel = "DIR", description = "A folder of kubectl JSON dumps, instead of probing the live cluster.")
    Path snapshot;

    @Option(names = "--gang-timeout", paramLabel = "DURATION", defaultValue = "5m",
            description = "Snapshot: how long a gang may run partly (Kueue's waitForPodsReady default) (default: ${DEFAULT-VALUE}).")
    Duration gangTimeout;

    @Option(names = "--at", paramLabel = "TIME",
            description = "Snapshot: when it was taken, ISO-8601 (default: the newest file's modification time).")
    Instant at;

    @Option(names = "--scheduler", paramLabel = "volcano|kueue", description = "Live: the batch scheduler to probe.")
    String scheduler;

    @Option(names = "--probes", paramLabel = "NAME", split = ",",
            description = "Live: which probes to run (default: all: whole_node, gang, gang_unfittable, topology, quota, fair_share).")
    List<String> probes;

    @Option(names = "--topology-label", paramLabel = "KEY",
            description = "Live: the node label of the domain (rack, block) a topology-constrained job must stay in "
                    + "(default for Kueue: the lowest level of --kueue-topology above the hostname).")
    String topologyLabel;

    @Option(names = "--kueue-topology", paramLabel = "NAME",
            description = "Live: the Kueue Topology the probes' ResourceFlavor uses for topology-aware placement.")
    String kueueTopology;

    @Option(names = "--volcano-scheduler-name", paramLabel = "NAME", defaultValue = "volcano",
            description = "Live: the schedulerName Volcano answers to (default: ${DEFAULT-VALUE}).")
    String volcanoSchedulerName;

    @Option(names = "--queue", paramLabel = "NAME",
            description = "Live: an existing queue (Volcano Queue, Kueue LocalQueue) for the placement probes "
                    + "(default: one the run creates; the quota and fair-share probes always make their own).")
    String queue;

    @Option(names = "--image", paramLabel = "IMAGE", defaultValue = "registry.k8s.io/pause:3.10",
            description = "Live: what probe pods run; they only need to be placed (default: ${DEFAULT-VALUE}).")
    String image;

    @Option(names = "--probe-timeout", paramLabel = "DURATION", defaultValue = "2m",
            description = "Live: how long one probe waits for its pods to be placed (default: ${DEFAULT-VALUE}).")
    Duration probeTimeout;

    @Option(names = "--hold", paramLabel = "DURATION", defaultValue = "30s",
            description = "Live: how long a job that must not start is watched when the scheduler gives no reason (default: ${DEFAULT-VALUE}).")
    Duration hold;

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
        return snapshot != null ? offline() : live();
    }

    private Integer offline() throws IOException {
        if (!Files.isDirectory(snapshot)) {
            return PitwallCommand.usageError(spec, snapshot + ": no such folder");
        }
        SchedulerSnapshot read;
        try {
            read = SchedulerSnapshot.read(snapshot);
        } catch (IOException e) {
            return PitwallCommand.usageError(spec, e.getMessage());
        }
        Instant taken = at != null ? at : newest(snapshot);
        List<Finding> findings = new SnapshotCheck(gangTimeout).check(read, taken);
        String heading = "Scheduling snapshot of " + read.nodes().size() + " nodes, " + read.pods().size() + " pods, "
                + read.podGroups().size() + " PodGroups, " + read.topologies().size() + " Topologies, "
                + read.hyperNodes().size() + " HyperNodes, taken " + taken;
        return report.write(spec, RunKind.SCHEDULER.named("snapshot " + snapshot.toAbsolutePath().normalize().getFileName()), heading,
                read.nodeNames(), findings, read.objects(), Map.of("taken_at", taken.toString()));
    }

    private Integer live() throws IOException {
        if (scheduler == null) {
            return PitwallCommand.usageError(spec, "give --scheduler volcano|kueue to probe the live cluster, "
                    + "or --snapshot DIR to check a snapshot");
        }
        if (probes != null) {
            List<String> unknown = probes.stream().filter(p -> !SchedulerProbes.ALL.contains(p)).toList();
            if (!unknown.isEmpty()) {
                return PitwallCommand.usageError(spec, "no probe " + String.join(", ", unknown) + "; the probes are "
                        + String.join(", ", SchedulerProbes.ALL));
            }
        }
        Config config = cluster.config();
        try (KubernetesClient client = ClusterOptions.connect(config)) {
            Optional<String> label = Optional.ofNullable(topologyLabel);
            GangScheduler asked;
            switch (scheduler) {
                case "volcano" -> asked = new VolcanoScheduler(volcanoSchedulerName);
                case "kueue" -> {
                    asked = new KueueScheduler(Optional.ofNullable(kueueTopology));
                    if (label.isEmpty() && kueueTopology != null) {
                        label = KueueScheduler.domainLevel(client, kueueTopology);
                    }
                }
                default -> {
                    return PitwallCommand.usageError(spec, "no scheduler " + scheduler + "; give volcano or kueue");
                }
            }
            int nodes;
            try {
                nodes = client.nodes().list().getItems().size();
            } catch (KubernetesClientException e) {
                return PitwallCommand.usageError(spec, "cannot read the cluster's nodes at " + config.getMasterUrl()
                        + ": " + e.getMessage());
            }
            boolean madeNamespace = cluster.ensureNamespace(client);
            String run = ClusterOptions.runId();
            SchedulerProbes.Settings settings = new SchedulerProbes.Settings(image, probeTimeout, hold, label,
                    Optional.ofNullable(queue), 3, probes == null ? Set.of() : Set.copyOf(probes));
            List<Finding> findings;
            try (ProbeSession session = new ProbeSession(client, cluster.namespace, run,
                    Optional.ofNullable(cluster.priorityClass), cluster.budget, Duration.ofSeconds(1), Clock.systemUTC())) {
                findings = new SchedulerProbes(asked, settings).run(session);
            } finally {
                if (madeNamespace) {
                    client.namespaces().withName(cluster.namespace).delete();
                }
            }
            return report.write(spec, RunKind.SCHEDULER.named(asked.describe() + " at " + config.getMasterUrl()),
                    "Scheduler probes of " + asked.describe() + " on " + nodes + " nodes at " + config.getMasterUrl()
                            + " (run " + run + ")", List.of("cluster"), findings, findings.size(), Map.of("run", run));
        }
    }

    private static Instant newest(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> {
                try {
                    return Files.getLastModifiedTime(p).toInstant();
                } catch (IOException e) {
                    return Instant.EPOCH;
                }
            }).max(Instant::compareTo).orElse(Instant.now());
        }
    }
}
