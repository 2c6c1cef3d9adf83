package dev.pitwall.acceptance.campaign;

import dev.pitwall.acceptance.verdict.Verdict;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where a campaign stands, as the store has it: its stages so far, each node's standing and every
 * finding, worst first.
 *
 * @param rounds  rounds of which every stage ran (or was interrupted)
 * @param verdict the campaign's: FAIL when a node failed, PASS when every node went through every
 *                stage of at least one round with nothing found
 */
public record CampaignStatus(long id, String name, String plan, String profile, String folder, Instant startedAt,
                             Instant endsAt, Instant finishedAt, int rounds, List<CampaignStore.StageRun> stages,
                             Map<String, NodeStanding> nodes, List<CampaignFinding> findings, Verdict verdict) {

    /**
     * One node's standing.
     *
     * @param failedAt the first failing finding, which took the node out of the campaign, or null
     * @param rounds   the last round the node took part in
     */
    public record NodeStanding(Verdict verdict, int rounds, CampaignFinding failedAt) {
    }

    /**
     * A campaign as listings show it.
     *
     * @param stage the stage running now, or null
     */
    public record Summary(long id, String name, String plan, Verdict verdict, int rounds, int nodes, int failed,
                          Instant startedAt, Instant endsAt, Instant finishedAt, String stage) {

        /** The newest campaigns first. */
        public static List<Summary> recent(CampaignStore store, int limit) {
            return store.recent(limit).stream().map(c -> {
                CampaignStatus s = of(store, c.id());
                String running = s.stages().stream().filter(r -> r.outcome().equals(CampaignStore.StageRun.RUNNING))
                        .map(r -> "round " + r.round() + ", " + r.stage()).findFirst().orElse(null);
                return new Summary(s.id(), s.name(), s.plan(), s.verdict(), s.rounds(), s.nodes().size(),
                        s.failedNodes().size(), s.startedAt(), s.endsAt(), s.finishedAt(), running);
            }).toList();
        }
    }

    public static CampaignStatus of(CampaignStore store, long id) {
        CampaignStore.Started campaign = store.find(id)
                .orElseThrow(() -> new IllegalArgumentException("no campaign " + id + " in the store"));
        List<CampaignStore.StageRun> stages = store.stages(id);
        List<CampaignFinding> findings = store.findings(id).stream()
                .sorted(Comparator.comparing((CampaignFinding f) -> f.finding().verdict()).reversed()
                        .thenComparing(f -> f.finding().node()).thenComparingInt(CampaignFinding::round))
                .toList();
        int stagesPerRound = campaign.plan().stages().size();
        int rounds = (int) stages.stream().mapToInt(CampaignStore.StageRun::round).distinct()
                .filter(r -> stages.stream().filter(s -> s.round() == r).count() == stagesPerRound).count();
        Map<String, List<CampaignFinding>> byNode = findings.stream()
                .collect(Collectors.groupingBy(f -> f.finding().node()));
        Map<String, NodeStanding> nodes = new TreeMap<>();
        for (String node : campaign.nodes()) {
            List<CampaignFinding> own = byNode.getOrDefault(node, List.of());
            Verdict verdict = own.stream().map(f -> f.finding().verdict()).reduce(Verdict.PASS, Verdict::worst);
            CampaignFinding failedAt = own.stream().filter(f -> f.finding().verdict() == Verdict.FAIL)
                    .min(Comparator.comparingInt(CampaignFinding::round)).orElse(null);
            nodes.put(node, new NodeStanding(verdict, failedAt == null ? rounds : failedAt.round(), failedAt));
        }
        Verdict overall = nodes.values().stream().map(NodeStanding::verdict).reduce(Verdict.PASS, Verdict::worst);
        if (overall != Verdict.FAIL && rounds == 0) {
            overall = Verdict.WARN; // nothing went through a whole round yet: no pass without evidence
        }
        return new CampaignStatus(id, campaign.name(), campaign.plan().name(), campaign.profile(), campaign.folder(),
                campaign.startedAt(), campaign.endsAt(), campaign.finishedAt(), rounds, stages, nodes, findings, overall);
    }

    public Optional<NodeStanding> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    public List<String> failedNodes() {
        return nodes.entrySet().stream().filter(e -> e.getValue().verdict() == Verdict.FAIL).map(Map.Entry::getKey).toList();
    }
}
