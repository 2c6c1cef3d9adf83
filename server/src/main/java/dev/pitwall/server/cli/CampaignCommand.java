package dev.pitwall.server.cli;

import dev.pitwall.acceptance.campaign.CampaignPlan;
import dev.pitwall.acceptance.campaign.CampaignReport;
import dev.pitwall.acceptance.campaign.CampaignRunner;
import dev.pitwall.acceptance.campaign.CampaignStatus;
import dev.pitwall.acceptance.campaign.CampaignStore;
import dev.pitwall.acceptance.campaign.KubernetesStages;
import dev.pitwall.acceptance.campaign.NodeMarks;
import dev.pitwall.acceptance.campaign.NodeRound;
import dev.pitwall.acceptance.run.CheckRunner;
import dev.pitwall.acceptance.stress.StressPlan;
import dev.pitwall.acceptance.verdict.Baseline;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.core.storage.Database;
import dev.pitwall.server.PitwallStore;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.sim.cluster.BurnInCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "campaign",
        description = "Run a burn-in (or a YAML campaign plan) on the nodes: its stages round after round until the "
                + "duration ends, each output judged with the acceptance rules, each node followed for trends across "
                + "rounds. The campaign is kept in the store: --resume goes on after a restart, --show prints where "
                + "it stands. --plan stress runs the training stress test instead (as check stress, kept in the store). "
                + "Exit 0 pass, 1 a node failed, 2 could not run.",
        mixinStandardHelpOptions = true)
final class CampaignCommand implements Callable<Integer> {

    /** Stages on real nodes: each step through the plan's runner (local, ssh, srun, kubectl exec or a template). */
    private static final CampaignRunner.StageExecutor THROUGH_RUNNER = (stage, round, targets, peers, folder) ->
            CheckRunner.run(stage, targets, peers, folder, Clock.systemUTC(), result -> { });

    @Spec
    CommandSpec spec;

    @Option(names = "--plan", paramLabel = "NAME|FILE", defaultValue = "burn-in",
            description = "burn-in (sanity, validation, performance, stress), stress (a reference training job at 32, 64 "
                    + "and 128 nodes), or a YAML campaign plan (default: ${DEFAULT-VALUE}).")
    String plan;

    @Option(names = "--nodes", paramLabel = "NODE", split = ",", description = "The nodes (default: the plan's).")
    List<String> nodes;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "How long rounds keep starting (default: the plan's; burn-in: 24h).")
    Duration duration;

    @Option(names = "--profile", paramLabel = "NAME|FILE",
            description = "Hold every round to a hardware profile too: h100-sxm-8x, a100-sxm-8x, h20-8x, l40s-pcie-8x, or a YAML file.")
    String profile;

    @Option(names = "--results", paramLabel = "DIR",
            description = "Where outputs go: DIR/round-NNN/<stage>/<node>/ (default: <data-dir>/campaigns/<start time>).")
    Path results;

    @Option(names = "--name", paramLabel = "TEXT", description = "The campaign's name in listings (default: the plan's and the node count).")
    String name;

    @Option(names = "--resume", paramLabel = "ID", description = "Go on with a stored campaign from its next stage.")
    Long resume;

    @Option(names = "--show", paramLabel = "ID", description = "Print where a stored campaign stands; run nothing.")
    Long show;

    @Option(names = "--simulate", paramLabel = "NODES",
            description = "Run on a simulated cluster of this many 8 x H100 nodes, with faults of the Llama 3 mix and two "
                    + "slow drifts injected, in simulated time; the faults are printed beside what was found.")
    Integer simulate;

    @Option(names = "--faulty", paramLabel = "N", description = "With --simulate: nodes given a fault (default: a tenth).")
    Integer faulty;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "With --simulate: the faults' seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--label-nodes",
            description = "When the campaign has finished, write its result onto the Kubernetes nodes: the label "
                    + "pitwall.dev/<plan> (pass, warn or fail) and annotations with the campaign, until when a pass holds, "
                    + "and what failed a node.")
    boolean labelNodes;

    @Option(names = "--valid-for", paramLabel = "DURATION", defaultValue = "30d",
            description = "With --label-nodes: how long a pass holds from the campaign's end (default: ${DEFAULT-VALUE}).")
    Duration validFor;

    @Mixin
    KubeconfigOptions kube;

    @Option(names = "--kubernetes-image", paramLabel = "IMAGE",
            description = "Run each stage on Kubernetes instead: one pod a node at the cluster's lowest priority class, "
                    + "asking for all its GPUs, in this image (it must hold the plan's tools). A node other work holds "
                    + "GPUs on is not tested then, a pod that real work preempts yields, and the node is tried again "
                    + "next round. Give it again with --resume.")
    String kubernetesImage;

    @Option(names = "--namespace", paramLabel = "NAME", defaultValue = "pitwall-campaigns",
            description = "With --kubernetes-image: where the pods go, made when missing (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--priority-class", paramLabel = "NAME",
            description = "With --kubernetes-image: the pods' priority class (default: the cluster's lowest-valued one).")
    String priorityClass;

    @Option(names = "--format", paramLabel = "text|json|md|html", defaultValue = "text",
            description = "text, the campaign's status as JSON, or its report in Markdown or as a self-contained HTML page "
                    + "with charts (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Mixin
    StoreOptions storeOptions;

    @Override
    public Integer call() throws Exception {
        Optional<String> refused = format.refusedUnless(OutputFormat.TEXT, OutputFormat.JSON, OutputFormat.MD,
                OutputFormat.HTML);
        if (refused.isPresent()) {
            return PitwallCommand.usageError(spec, refused.get());
        }
        if (StressPlan.BUILT_IN.contains(plan) && show == null && resume == null) {
            return stress();
        }
        PitwallConfig config;
        try {
            config = storeOptions.load();
        } catch (ConfigException e) {
            return PitwallCommand.usageError(spec, e.getMessage());
        }
        try (Database database = PitwallStore.open(config, new SimpleMeterRegistry())) {
            CampaignStore store = new CampaignStore(database);
            if (show != null) {
                if (store.find(show).isEmpty()) {
                    return PitwallCommand.usageError(spec, "no campaign " + show + " in " + database.describe());
                }
                return print(store, CampaignStatus.of(store, show), null);
            }
            if (resume != null) {
                return resume(store, database);
            }
            return start(store, config);
        } catch (ConfigException | IllegalArgumentException | IllegalStateException e) {
            return PitwallCommand.usageError(spec, e.getMessage());
        }
    }

    /** {@code --plan stress}: the training stress test, as {@code check stress} runs it, kept in the store. */
    private int stress() throws Exception {
        if (duration != null || profile != null || labelNodes) {
            return PitwallCommand.usageError(spec, "--duration, --profile and --label-nodes are a burn-in's; the stress "
                    + "plan runs each scale once (pitwall check stress --help)");
        }
        StressCommand stress = new StressCommand();
        stress.spec = spec;
        stress.plan = plan;
        stress.nodes = nodes;
        stress.results = results;
        stress.simulate = simulate;
        stress.faulty = faulty != null && faulty > 0;
        stress.seed = seed;
        stress.store = true;
        stress.storeOptions = storeOptions;
        stress.format = format;
        return stress.call();
    }

    private int start(CampaignStore store, PitwallConfig config) throws Exception {
        CampaignPlan loaded = CampaignPlan.load(plan);
        Optional<Baseline> baseline = Optional.ofNullable(profile).map(Baseline::load);
        Duration runFor = duration != null ? duration : loaded.duration();
        BurnInCluster cluster = null;
        Clock clock = Clock.systemUTC();
        CampaignRunner.StageExecutor executor = THROUGH_RUNNER;
        List<String> targets = nodes != null && !nodes.isEmpty() ? nodes : loaded.nodes();
        if (simulate != null && kubernetesImage != null) {
            return PitwallCommand.usageError(spec, "--simulate and --kubernetes-image do not go together");
        }
        if (simulate != null) {
            if (simulate < 3) {
                return PitwallCommand.usageError(spec, "--simulate needs at least 3 nodes (faults and two drifts)");
            }
            cluster = BurnInCluster.create(simulate, faulty != null ? faulty : Math.max(1, simulate / 10), seed);
            SimulatedBurnIn.Time time = new SimulatedBurnIn.Time(clock.instant());
            clock = time;
            executor = new SimulatedBurnIn(cluster, time);
            targets = cluster.nodes();
        }
        if (targets.isEmpty()) {
            return PitwallCommand.usageError(spec, "name the nodes with --nodes or in the plan's nodes:");
        }
        CampaignRunner runner = new CampaignRunner(store, executor, clock, progress());
        String heading = name != null ? name : loaded.name() + " on " + targets.size() + " nodes"
                + (simulate != null ? " (simulated)" : "");
        Path folder = results != null ? results : config.dataDir().resolve("campaigns")
                .resolve(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC)
                        .format(java.time.Instant.now()));
        long id = runner.start(heading, loaded, targets, runFor, baseline, folder);
        spec.commandLine().getErr().println("campaign " + id + ": " + heading + ", outputs in " + folder
                + "; if this stops, go on with: pitwall check campaign --resume " + id
                + (kubernetesImage != null ? " --kubernetes-image " + kubernetesImage : ""));
        if (kubernetesImage != null) {
            try (KubernetesClient client = onKubernetes()) {
                return print(store, new CampaignRunner(store, kubernetesStages(client), clock, progress()).run(id), null);
            }
        }
        return print(store, runner.run(id), cluster);
    }

    /** A client of the kubeconfig's cluster, with the campaign's namespace made when missing. */
    private KubernetesClient onKubernetes() {
        KubernetesClient client = ClusterOptions.connect(kube.config());
        if (client.namespaces().withName(namespace).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
        }
        return client;
    }

    private KubernetesStages kubernetesStages(KubernetesClient client) {
        return new KubernetesStages(client, namespace, kubernetesImage, Optional.ofNullable(priorityClass),
                KubernetesStages.START_UP, Duration.ofSeconds(5), Clock.systemUTC());
    }

    private int resume(CampaignStore store, Database database) throws Exception {
        CampaignStore.Started started = store.find(resume)
                .orElseThrow(() -> new IllegalArgumentException("no campaign " + resume + " in " + database.describe()));
        Path firstStage = Path.of(started.folder()).resolve(NodeRound.folder(1, started.plan().stages().getFirst().name(), ""))
                .resolve(CheckRunner.RECORD);
        String ranOn = Files.isRegularFile(firstStage)
                ? Json.mapper().readValue(firstStage.toFile(), CheckRunner.RunRecord.class).runner() : "";
        if (ranOn.equals(SimulatedBurnIn.RUNNER)) {
            throw new IllegalArgumentException("campaign " + resume + " ran on the simulated cluster, which is gone; "
                    + "start a new one with --simulate");
        }
        if (ranOn.equals(KubernetesStages.RUNNER) && kubernetesImage == null) {
            throw new IllegalArgumentException("campaign " + resume + " ran its stages on Kubernetes: give "
                    + "--kubernetes-image (and --kubeconfig, --context, --namespace as it started with) to go on");
        }
        spec.commandLine().getErr().println("resuming campaign " + started.id() + ": " + started.name());
        if (kubernetesImage != null) {
            try (KubernetesClient client = onKubernetes()) {
                return print(store, new CampaignRunner(store, kubernetesStages(client), Clock.systemUTC(), progress())
                        .run(resume), null);
            }
        }
        CampaignRunner runner = new CampaignRunner(store, THROUGH_RUNNER, Clock.systemUTC(), progress());
        return print(store, runner.run(resume), null);
    }

    private CampaignRunner.Progress progress() {
        PrintWriter err = spec.commandLine().getErr();
        return new CampaignRunner.Progress() {
            @Override
            public void stageStarted(int round, String stage, int count) {
                err.printf(Locale.ROOT, "round %d, %s: %d node%s%n", round, stage, count, count == 1 ? "" : "s");
                err.flush();
            }

            @Override
            public void stageEnded(int round, String stage, List<String> failed) {
                if (!failed.isEmpty()) {
                    err.println("  failed, leaving the campaign: " + String.join(", ", failed));
                    err.flush();
                }
            }
        };
    }

    private int print(CampaignStore store, CampaignStatus status, BurnInCluster cluster) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (labelNodes) {
            try (KubernetesClient client = ClusterOptions.connect(kube.config())) {
                NodeMarks.Result marked = NodeMarks.apply(client, status, validFor);
                spec.commandLine().getErr().println("marked " + marked.marked().size() + " node(s) with " + marked.label()
                        + (marked.missing().isEmpty() ? "" : "; not in the cluster: " + String.join(", ", marked.missing())));
            } catch (KubernetesClientException e) {
                return PitwallCommand.usageError(spec, "the nodes were not marked: " + e.getMessage());
            }
        }
        if (format == OutputFormat.JSON) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(status));
        } else {
            out.print(DocumentWriter.write(CampaignReport.document(status, store), format.id()));
            if (cluster != null && format == OutputFormat.TEXT) {
                out.print(simulatedAgainstFound(cluster.faults(), status));
            }
        }
        out.flush();
        return status.verdict() == Verdict.FAIL ? PitwallCommand.EXIT_FAILED : 0;
    }

    /** The simulation's faults beside the campaign's failed nodes: what was found, missed, and failed without a fault. */
    private static String simulatedAgainstFound(Map<String, String> faults, CampaignStatus status) {
        TreeSet<String> failed = new TreeSet<>(status.failedNodes());
        StringBuilder out = new StringBuilder("\nSimulated faults and drifts: " + faults.size() + "\n");
        faults.forEach((node, fault) -> out.append(String.format(Locale.ROOT, "  %-10s %-40s %s%n", node, fault,
                failed.contains(node) ? "found" : "MISSED")));
        List<String> falsePositives = failed.stream().filter(n -> !faults.containsKey(n)).toList();
        out.append("Failed without a fault: ").append(falsePositives.isEmpty() ? "none" : String.join(", ", falsePositives))
                .append('\n');
        return out.toString();
    }
}
