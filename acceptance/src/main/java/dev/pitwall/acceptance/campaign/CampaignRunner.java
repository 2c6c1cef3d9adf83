package dev.pitwall.acceptance.campaign;

import dev.pitwall.acceptance.run.CheckPlan;
import dev.pitwall.acceptance.run.CheckRunner;
import dev.pitwall.acceptance.verdict.Baseline;
import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.NodeFigures;
import dev.pitwall.acceptance.verdict.ResultsEvaluator;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.metrics.PrometheusSamples;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a campaign, or resumes one a stopped Pitwall left: the next stage not yet recorded, on the
 * nodes still in the campaign, until a round would start after the campaign's end. Each stage's
 * outputs land in {@code <folder>/round-NNN/<stage>/<node>/} and are judged with the acceptance
 * rules at once (a node that fails leaves the campaign); at each round's end the round is held to
 * the hardware profile and every node's rounds are checked for trends.
 *
 * <p>A stage is never run twice: one that was running when Pitwall stopped is recorded as
 * interrupted, its outputs kept but not judged, and the campaign goes on with the next.
 */
public final class CampaignRunner {

    /** How a stage's steps reach the nodes: through the plan's runner, or a simulated cluster. */
    @FunctionalInterface
    public interface StageExecutor {
        /**
         * Runs every step of {@code stage} on {@code nodes}, saving outputs to {@code folder/<node>/}
         * and the record to {@code folder/run.json}.
         */
        CheckRunner.RunRecord run(CheckPlan stage, int round, List<String> nodes, Map<String, String> peers, Path folder)
                throws IOException, InterruptedException;
    }

    /** Told as stages start and end, for a progress display. */
    public interface Progress {
        void stageStarted(int round, String stage, int nodes);

        void stageEnded(int round, String stage, List<String> failedNodes);

        Progress NONE = new Progress() {
            @Override
            public void stageStarted(int round, String stage, int nodes) {
            }

            @Override
            public void stageEnded(int round, String stage, List<String> failedNodes) {
            }
        };
    }

    /** The check of a node a stage did not test because other work had it. */
    public static final String DEFERRED = "campaign.deferred";

    /** The stage name of findings against the hardware profile, made at each round's end. */
    public static final String PROFILE = "profile";

    /** A claim not renewed for this long is a stopped process's: another may take the campaign over. */
    static final Duration LEASE = Duration.ofSeconds(60);
    /** How often a running campaign renews its claim. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final CampaignStore store;
    private final StageExecutor executor;
    /** This runner in the claim: the process, its host, and which runner of the process. */
    private final String runnerId = ProcessHandle.current().pid() + "@" + host() + "/"
            + UUID.randomUUID().toString().substring(0, 8);
    private final Clock clock;
    private final Progress progress;

    public CampaignRunner(CampaignStore store, StageExecutor executor, Clock clock, Progress progress) {
        this.store = store;
        this.executor = executor;
        this.clock = clock;
        this.progress = progress;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }

    /** Records a new campaign; {@link #run} then runs it. */
    public long start(String name, CampaignPlan plan, List<String> nodes, Duration duration, Optional<Baseline> profile,
                      Path folder) throws IOException {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a campaign needs at least one node");
        }
        Files.createDirectories(folder);
        Instant now = clock.instant();
        return store.create(name, plan, profile.map(Baseline::name).orElse(null), List.copyOf(new TreeSet<>(nodes)),
                folder.toAbsolutePath().normalize().toString(), now, now.plus(duration));
    }

    /**
     * Runs the campaign from where it stands to its end; returns its status then. Throws when the
     * campaign is not in the store, has already finished, or another process runs it now (it holds
     * the campaign's claim and renews it while it runs).
     */
    public CampaignStatus run(long id) throws IOException, InterruptedException {
        CampaignStore.Started campaign = store.find(id)
                .orElseThrow(() -> new IllegalArgumentException("no campaign " + id + " in the store"));
        if (campaign.finished()) {
            throw new IllegalStateException("campaign " + id + " finished at " + campaign.finishedAt()
                    + "; start a new one to test the nodes again");
        }
        // Wall time, not the campaign's clock (simulated campaigns run on their own): the claim is between processes.
        Clock wall = Clock.systemUTC();
        Optional<CampaignStore.Holder> holder = store.claim(id, runnerId, wall.instant(), LEASE);
        if (holder.isPresent()) {
            throw new IllegalStateException("campaign " + id + " is being run by " + holder.get().runner() + " (heard from "
                    + Duration.between(holder.get().heartbeatAt(), wall.instant()).toSeconds() + " s ago): stop that "
                    + "process first; a process that stopped without saying so gives the campaign up after "
                    + LEASE.toSeconds() + " s");
        }
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("campaign-" + id + "-heartbeat").factory());
        beats.scheduleAtFixedRate(() -> {
            try {
                store.heartbeat(id, runnerId, wall.instant());
            } catch (RuntimeException e) {
                // The store was unreachable for a moment: the next beat tries again, well within the lease.
            }
        }, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return runClaimed(campaign);
        } finally {
            beats.shutdownNow();
            store.release(id, runnerId);
        }
    }

    private CampaignStatus runClaimed(CampaignStore.Started campaign) throws IOException, InterruptedException {
        long id = campaign.id();
        store.interrupt(id, clock.instant());
        Optional<Baseline> profile = Optional.ofNullable(campaign.profile()).map(Baseline::load);
        Path folder = Path.of(campaign.folder());
        CampaignPlan plan = campaign.plan();

        Map<String, List<NodeRound>> history = new TreeMap<>();
        store.eachRound(id, r -> history.computeIfAbsent(r.node(), n -> new ArrayList<>()).add(r));
        Set<String> failed = new HashSet<>();
        store.findings(id).stream().filter(f -> f.finding().verdict() == Verdict.FAIL)
                .forEach(f -> failed.add(f.finding().node()));
        Set<String> recorded = new HashSet<>();
        int round = 1;
        for (CampaignStore.StageRun s : store.stages(id)) {
            recorded.add(key(s.round(), s.stage()));
            round = Math.max(round, s.round());
        }
        while (true) {
            int next = nextStage(plan, round, recorded);
            if (next == plan.stages().size()) {
                round++;
                next = 0;
            }
            List<String> active = campaign.nodes().stream().filter(n -> !failed.contains(n)).toList();
            boolean newRound = next == 0;
            if (active.isEmpty() || newRound && round > 1 && !clock.instant().isBefore(campaign.endsAt())) {
                break;
            }
            CampaignPlan.Stage stage = plan.stages().get(next);
            boolean lastOfRound = next == plan.stages().size() - 1;
            runStage(campaign, plan, stage, round, active, folder, history, failed, lastOfRound, profile);
            recorded.add(key(round, stage.name()));
        }
        store.finish(id, clock.instant());
        return CampaignStatus.of(store, id);
    }

    private void runStage(CampaignStore.Started campaign, CampaignPlan plan, CampaignPlan.Stage stage, int round,
                          List<String> active, Path folder, Map<String, List<NodeRound>> history, Set<String> failed,
                          boolean lastOfRound, Optional<Baseline> profile) throws IOException, InterruptedException {
        long id = campaign.id();
        Path stageFolder = folder.resolve(NodeRound.folder(round, stage.name(), "")).normalize();
        Files.createDirectories(stageFolder);
        store.stageStarted(id, round, stage.name(), active.size(), clock.instant());
        progress.stageStarted(round, stage.name(), active.size());
        Map<String, String> deferred = executor.run(plan.stagePlan(stage), round, active, peers(active, round),
                stageFolder).deferred();
        // A node busy with real work (or preempted by it) was not tested: nothing of it is judged, and its
        // warning says so, so that a node never tested is never taken for one that passed.
        List<String> tested = active.stream().filter(n -> !deferred.containsKey(n)).toList();

        Evaluation evaluation = ResultsEvaluator.evaluate(stageFolder);
        Map<String, Map<String, Double>> readings = new HashMap<>();
        for (String node : tested) {
            readings.put(node, counters(stageFolder.resolve(node)));
        }
        List<CampaignFinding> findings = new ArrayList<>();
        deferred.forEach((node, why) -> findings.add(new CampaignFinding(round, stage.name(), new Finding(node, DEFERRED,
                Verdict.WARN, why, "tested", "not tested in this stage: it yielded to real work, and is tried again "
                + "next round"), NodeRound.folder(round, stage.name(), node))));
        for (Finding finding : evaluation.findings()) {
            // Exporter outputs are no tool output the evaluator reads, but counters read from them are evidence.
            boolean countersRead = !readings.getOrDefault(finding.node(), Map.of()).isEmpty();
            if (tested.contains(finding.node()) && !(finding.check().equals(ResultsEvaluator.NO_OUTPUTS) && countersRead)) {
                findings.add(new CampaignFinding(round, stage.name(), finding,
                        NodeRound.folder(round, stage.name(), finding.node())));
            }
        }
        List<NodeRound> measured = new ArrayList<>();
        for (String node : tested) {
            List<NodeRound> rounds = history.computeIfAbsent(node, n -> new ArrayList<>());
            Map<String, Double> figures = new TreeMap<>();
            Map<String, Double> counters = new TreeMap<>();
            Map<String, String> stages = new TreeMap<>();
            NodeRound current = rounds.isEmpty() ? null : rounds.getLast();
            if (current != null && current.round() == round) {
                figures.putAll(current.figures());
                counters.putAll(current.counters());
                stages.putAll(current.stages());
                rounds.removeLast();
            }
            evaluation.figures().getOrDefault(node, Map.of()).forEach((name, f) -> {
                figures.put(name, f.value());
                stages.put(name, stage.name());
            });
            Map<String, Double> read = readings.get(node);
            if (!read.isEmpty()) {
                if (rounds.isEmpty()) {
                    // The node's first reading: the campaign's deltas start here.
                    NodeRound first = new NodeRound(node, 0, Map.of(), read, Map.of(NodeRound.COUNTERS, stage.name()));
                    rounds.add(first);
                    measured.add(first);
                }
                counters.putAll(read);
                stages.put(NodeRound.COUNTERS, stage.name());
            }
            NodeRound now = new NodeRound(node, round, figures, counters, stages);
            rounds.add(now);
            measured.add(now);
        }
        Optional<List<CampaignFinding>> trends = Optional.empty();
        if (lastOfRound) {
            // Against the profile only nodes every stage of this round tested: a deferred stage's figures are missing.
            Set<String> untested = new HashSet<>(deferred.keySet());
            store.findings(id).stream().filter(f -> f.round() == round && f.finding().check().equals(DEFERRED))
                    .forEach(f -> untested.add(f.finding().node()));
            List<String> judged = active.stream().filter(n -> !untested.contains(n) && history.containsKey(n)).toList();
            profile.ifPresent(p -> findings.addAll(againstProfile(p, round, judged, history)));
            List<CampaignFinding> acrossRounds = new ArrayList<>();
            history.forEach((node, rounds) -> acrossRounds.addAll(CampaignTrends.check(node, rounds, plan.trends())));
            trends = Optional.of(acrossRounds);
        }
        store.stageFinished(id, round, stage.name(), clock.instant(), measured, findings, trends);
        List<String> failedNow = new ArrayList<>();
        Stream.concat(findings.stream(), trends.orElse(List.of()).stream())
                .filter(f -> f.finding().verdict() == Verdict.FAIL && active.contains(f.finding().node()))
                .map(f -> f.finding().node()).distinct().sorted().forEach(failedNow::add);
        failed.addAll(failedNow);
        progress.stageEnded(round, stage.name(), failedNow);
    }

    /** The round's figures against the profile, on the nodes that went through the whole round. */
    private static List<CampaignFinding> againstProfile(Baseline profile, int round, List<String> active,
                                                        Map<String, List<NodeRound>> history) {
        Map<String, Map<String, NodeFigures.Figure>> figures = new TreeMap<>();
        for (String node : active) {
            NodeRound last = history.get(node).getLast();
            Map<String, NodeFigures.Figure> byName = new TreeMap<>();
            last.figures().forEach((name, value) -> byName.put(name, new NodeFigures.Figure(value, "", "")));
            figures.put(node, byName);
        }
        return ResultsEvaluator.againstBaseline(profile, figures).stream()
                .map(f -> new CampaignFinding(round, PROFILE, f, history.get(f.node()).getLast()
                        .evidence(f.check().substring(f.check().indexOf('.') + 1))))
                .toList();
    }

    /** The counters a node's exporter outputs in a stage folder hold; empty when it has none. */
    private static Map<String, Double> counters(Path nodeFolder) throws IOException {
        Map<String, Double> counters = new TreeMap<>();
        if (!Files.isDirectory(nodeFolder)) {
            return counters;
        }
        try (Stream<Path> files = Files.list(nodeFolder)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".prom")).sorted().toList()) {
                NodeCounters.read(PrometheusSamples.read(Files.readString(file)), counters);
            }
        }
        return counters;
    }

    /**
     * Each node's partner for pairwise tests: the node {@code k} places further in name order, k
     * moving on each round, so every pair of nodes is tried once within n-1 rounds. Each node is
     * the partner of exactly one other, so each serves one test at a time.
     */
    static Map<String, String> peers(List<String> nodes, int round) {
        Map<String, String> peers = new HashMap<>();
        int n = nodes.size();
        if (n < 2) {
            return peers;
        }
        int offset = 1 + (round - 1) % (n - 1);
        for (int i = 0; i < n; i++) {
            peers.put(nodes.get(i), nodes.get((i + offset) % n));
        }
        return peers;
    }

    private static int nextStage(CampaignPlan plan, int round, Set<String> recorded) {
        int next = 0;
        while (next < plan.stages().size() && recorded.contains(key(round, plan.stages().get(next).name()))) {
            next++;
        }
        return next;
    }

    private static String key(int round, String stage) {
        return round + "/" + stage;
    }
}
