package dev.pitwall.acceptance.campaign;

import dev.pitwall.acceptance.probe.ProbeSession;
import dev.pitwall.acceptance.run.CheckPlan;
import dev.pitwall.acceptance.run.CheckRunner;
import dev.pitwall.acceptance.run.StepResult;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A campaign's stages as pods on Kubernetes, one per node, at the cluster's lowest priority class:
 * each pod asks for all of its node's GPUs, so it only starts on a node nothing else holds GPUs
 * on, and real work that needs the node preempts it. A node busy with other GPU work when the stage
 * starts, a pod the scheduler could not place in time, and a pod preempted by real work are
 * deferred: not tested, tried again next round, never failed. Bare pods (restart policy Never), not
 * Jobs: a Job's retries would start the test again on a node it has just yielded.
 *
 * <p>The pod runs the stage's steps in the given image (it must hold the tools the plan's commands
 * call), each between marker lines on its standard output; Pitwall reads the pod's log and writes
 * each step's output where the campaign's evaluation reads it, with the step's exit status.
 */
public final class KubernetesStages implements CampaignRunner.StageExecutor {

    /** The runner name in the stage's run.json. */
    public static final String RUNNER = "kubernetes";
    static final String GPU = "nvidia.com/gpu";
    private static final String BEGIN = "=== pitwall step ";
    private static final Pattern END = Pattern.compile("^=== pitwall exit (\\d+) ===$");
    /** Time for the image to be pulled and the pod to start, beside the steps' own budgets. */
    public static final Duration START_UP = Duration.ofMinutes(10);

    private final KubernetesClient client;
    private final String namespace;
    private final String image;
    private final Optional<String> priorityClass;
    private final Duration startUp;
    private final Duration poll;
    private final Clock clock;

    /**
     * @param priorityClass the class the pods run at; empty for the cluster's lowest-valued one
     * @param startUp       how long a pod may take to start, beside its steps' budgets ({@link #START_UP})
     */
    public KubernetesStages(KubernetesClient client, String namespace, String image, Optional<String> priorityClass,
                            Duration startUp, Duration poll, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.image = image;
        this.priorityClass = priorityClass;
        this.startUp = startUp;
        this.poll = poll;
        this.clock = clock;
    }

    @Override
    public CheckRunner.RunRecord run(CheckPlan stage, int round, List<String> nodes, Map<String, String> peers,
                                     Path folder) throws IOException {
        Instant started = clock.instant();
        Duration budget = stage.steps().stream().map(CheckPlan.Step::timeout).reduce(startUp, Duration::plus);
        String runId = String.format(Locale.ROOT, "r%d-%s-%d", round, stage.name(), started.toEpochMilli() % 1_000_000);
        Map<String, String> deferred = new TreeMap<>();
        List<StepResult> results = new ArrayList<>();
        try (ProbeSession session = new ProbeSession(client, namespace, runId, priorityClass, budget, poll, clock)) {
            Map<String, String> pods = new HashMap<>();
            Map<String, String> busy = busyNodes();
            for (String node : nodes) {
                if (busy.containsKey(node)) {
                    deferred.put(node, "busy: " + busy.get(node) + " holds GPUs on it");
                    continue;
                }
                String what = "n" + pods.size();
                Pod pod = session.pod(what, gpus(node), image, List.of("sh", "-c", script(stage, node, peers)))
                        .editSpec().addToNodeSelector("kubernetes.io/hostname", node).endSpec().build();
                session.create(pod);
                pods.put(node, what);
            }
            ProbeSession.Awaited<List<Pod>> ended = session.await(session::pods,
                    list -> list.stream().allMatch(KubernetesStages::over), budget);
            Map<String, Pod> byName = new HashMap<>();
            ended.state().forEach(p -> byName.put(p.getMetadata().getName(), p));
            for (Map.Entry<String, String> e : pods.entrySet()) {
                String node = e.getKey();
                Pod pod = byName.get(session.name(e.getValue()));
                if (pod == null || preempted(pod)) {
                    deferred.put(node, "preempted: real work needed the node");
                } else if (!"Succeeded".equals(phase(pod)) && !"Failed".equals(phase(pod))) {
                    deferred.put(node, "not started within " + budget.toMinutes() + " min (" + phase(pod)
                            + "): other work holds the node");
                } else {
                    Files.createDirectories(folder.resolve(node));
                    String log = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).getLog();
                    results.addAll(outputs(stage, node, log == null ? "" : log, folder.resolve(node)));
                }
            }
        }
        CheckRunner.RunRecord record = new CheckRunner.RunRecord(stage.name(), RUNNER, List.copyOf(nodes), started,
                clock.instant(), results, deferred);
        CheckRunner.save(record, folder);
        return record;
    }

    /**
     * Nodes another workload holds GPUs on (a pod pending on or running there, not one of Pitwall's),
     * each with one such pod as namespace/name; one listing for the whole stage.
     */
    private Map<String, String> busyNodes() {
        Map<String, String> busy = new HashMap<>();
        for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
            boolean ours = p.getMetadata().getLabels() != null && p.getMetadata().getLabels().containsKey(ProbeSession.LABEL);
            boolean gpus = p.getSpec().getContainers().stream().anyMatch(c -> c.getResources() != null
                    && (has(c.getResources().getLimits()) || has(c.getResources().getRequests())));
            if (!ours && gpus && !over(p) && p.getSpec().getNodeName() != null) {
                busy.putIfAbsent(p.getSpec().getNodeName(), p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
            }
        }
        return busy;
    }

    private static boolean has(Map<String, Quantity> resources) {
        return resources != null && resources.containsKey(GPU) && !"0".equals(resources.get(GPU).getAmount());
    }

    /** The node's allocatable GPUs; 0 when it has none (or the node is not listed). */
    private int gpus(String node) {
        var n = client.nodes().withName(node).get();
        if (n == null || n.getStatus() == null || n.getStatus().getAllocatable() == null) {
            return 0;
        }
        Quantity q = n.getStatus().getAllocatable().get(GPU);
        return q == null ? 0 : Integer.parseInt(q.getAmount());
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
    }

    private static boolean over(Pod pod) {
        return "Succeeded".equals(phase(pod)) || "Failed".equals(phase(pod));
    }

    /** Preempted by the scheduler: its disruption condition, or the kubelet's reason. */
    private static boolean preempted(Pod pod) {
        if (pod.getStatus() == null) {
            return false;
        }
        boolean condition = pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "DisruptionTarget".equals(c.getType()) && "True".equals(c.getStatus()));
        return condition || "Preempted".equals(pod.getStatus().getReason());
    }

    /** The steps as one shell script: each one's output between its markers, its exit status after it. */
    static String script(CheckPlan stage, String node, Map<String, String> peers) {
        StringBuilder script = new StringBuilder();
        for (CheckPlan.Step step : stage.steps()) {
            String command = step.command().replace(CheckRunner.PEER, peers.getOrDefault(node, ""));
            script.append("echo '").append(BEGIN).append(step.name()).append(" ==='; ")
                    .append("timeout ").append(step.timeout().toSeconds()).append(" sh -c '")
                    .append(command.replace("'", "'\\''")).append("' 2>&1; ")
                    .append("echo \"=== pitwall exit $? ===\"; ");
        }
        return script.toString();
    }

    /** Each step's output from the pod's log into its file, with how it ended; a step without its end marker did not finish. */
    static List<StepResult> outputs(CheckPlan stage, String node, String log, Path nodeFolder) throws IOException {
        Map<String, StringBuilder> texts = new HashMap<>();
        Map<String, Integer> exits = new HashMap<>();
        String current = null;
        for (String line : log.split("\n", -1)) {
            if (line.startsWith(BEGIN) && line.endsWith(" ===")) {
                current = line.substring(BEGIN.length(), line.length() - 4);
                texts.put(current, new StringBuilder());
                continue;
            }
            Matcher end = END.matcher(line);
            if (current != null && end.matches()) {
                exits.put(current, Integer.parseInt(end.group(1)));
                current = null;
            } else if (current != null) {
                texts.get(current).append(line).append('\n');
            }
        }
        List<StepResult> results = new ArrayList<>();
        for (CheckPlan.Step step : stage.steps()) {
            StringBuilder text = texts.get(step.name());
            if (text != null) {
                Files.writeString(nodeFolder.resolve(step.output()), text, StandardCharsets.UTF_8);
            }
            Integer exit = exits.get(step.name());
            // timeout(1) exits 124 when it stopped the command.
            boolean timedOut = exit != null && exit == 124;
            results.add(new StepResult(node, step.name(), step.output(), exit == null ? -1 : exit, timedOut, 0,
                    exit == null ? "the pod's log has no end for this step: the pod stopped during it" : null));
        }
        return results;
    }
}
