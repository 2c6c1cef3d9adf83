package dev.pitwall.acceptance.campaign;

import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.report.Document;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A campaign's report, laid out once for text, Markdown and HTML: where it stands, each failed
 * node with the finding that took it out and its evidence, the warnings, the nodes left in each
 * stage, and for each node failed by a trend its readings round by round beside the fleet's median.
 */
public final class CampaignReport {

    private static final String NODE_COLOUR = "#c0392b";
    private static final String FLEET_COLOUR = "#7f8c8d";

    private CampaignReport() {
    }

    public static Document document(CampaignStatus status, CampaignStore store) {
        List<Document.Section> sections = new ArrayList<>();
        long failed = status.failedNodes().size();
        long warned = status.nodes().values().stream().filter(n -> n.verdict() == Verdict.WARN).count();
        sections.add(new Document.Facts("Campaign", List.of(
                new Document.Fact("Verdict", status.verdict().name()),
                new Document.Fact("Plan", status.plan() + (status.profile() == null ? "" : ", against " + status.profile())),
                new Document.Fact("Rounds", String.valueOf(status.rounds())),
                new Document.Fact("Nodes", status.nodes().size() + ": " + failed + " failed, " + warned + " with warnings"),
                new Document.Fact("Started", status.startedAt().truncatedTo(ChronoUnit.SECONDS).toString()),
                new Document.Fact(status.finishedAt() != null ? "Finished" : "Runs until",
                        (status.finishedAt() != null ? status.finishedAt() : status.endsAt())
                                .truncatedTo(ChronoUnit.SECONDS).toString()),
                new Document.Fact("Outputs", status.folder()))));
        List<List<String>> failedRows = new ArrayList<>();
        status.nodes().forEach((node, standing) -> {
            CampaignFinding f = standing.failedAt();
            if (f != null) {
                failedRows.add(List.of(node, String.valueOf(f.round()), f.stage(), f.finding().check(), f.finding().detail(),
                        f.evidence()));
            }
        });
        if (!failedRows.isEmpty()) {
            sections.add(new Document.Table("Failed nodes (each left the campaign here)",
                    List.of("node", "round", "stage", "check", "finding", "evidence"), failedRows));
        }
        List<List<String>> warningRows = status.findings().stream().filter(f -> f.finding().verdict() == Verdict.WARN)
                .map(f -> List.of(f.finding().node(), String.valueOf(f.round()), f.stage(), f.finding().check(),
                        f.finding().detail(), f.evidence()))
                .toList();
        if (!warningRows.isEmpty()) {
            sections.add(new Document.Table("Warnings", List.of("node", "round", "stage", "check", "finding", "evidence"),
                    warningRows));
        }
        sections.addAll(trendCharts(status, store));
        sections.add(new Document.Table("Stages", List.of("round", "stage", "nodes", "outcome", "took"),
                status.stages().stream().map(s -> List.of(String.valueOf(s.round()), s.stage(), String.valueOf(s.nodes()),
                        s.outcome(), s.finishedAt() == null ? "" : took(Duration.between(s.startedAt(), s.finishedAt()))))
                        .toList()));
        sections.add(new Document.Note("Evidence", "Evidence paths are relative to the outputs folder, "
                + "round-NNN/<stage>/<node>; a trend names its first and last round. A node leaves the campaign at its "
                + "first failure; a trend needs at least six rounds to reach the default significance (p < 0.01)."));
        return new Document("Campaign " + status.id() + ": " + status.name(), status.verdict() + " after " + status.rounds()
                + " round" + (status.rounds() == 1 ? "" : "s") + "; " + failed + " of " + status.nodes().size()
                + " nodes failed", sections);
    }

    /** For each figure a node failed by its trend: that node's readings and the fleet's median, round by round. */
    private static List<Document.Section> trendCharts(CampaignStatus status, CampaignStore store) {
        Map<String, String> figureOf = new TreeMap<>();
        status.findings().stream()
                .filter(f -> f.finding().verdict() == Verdict.FAIL && f.stage().equals(CampaignFinding.TRENDS)
                        && f.finding().check().startsWith("trend.") && !f.finding().check().equals("trend.thermal_violation"))
                .forEach(f -> figureOf.putIfAbsent(f.finding().node(), f.finding().check().substring("trend.".length())));
        if (figureOf.isEmpty()) {
            return List.of();
        }
        // round → figure → every node's reading, for the medians; node → round → reading for the failed ones.
        Map<String, Map<Integer, List<Double>>> fleet = new TreeMap<>();
        Map<String, Map<Integer, Double>> own = new TreeMap<>();
        store.eachRound(status.id(), r -> {
            for (String figure : figureOf.values()) {
                Double value = r.figures().get(figure);
                if (value != null) {
                    fleet.computeIfAbsent(figure, f -> new TreeMap<>()).computeIfAbsent(r.round(), k -> new ArrayList<>())
                            .add(value);
                }
            }
            String figure = figureOf.get(r.node());
            if (figure != null && r.figures().containsKey(figure)) {
                own.computeIfAbsent(r.node(), n -> new TreeMap<>()).put(r.round(), r.figures().get(figure));
            }
        });
        List<Document.Section> charts = new ArrayList<>();
        figureOf.forEach((node, figure) -> {
            Map<Integer, Double> readings = own.getOrDefault(node, Map.of());
            Map<Integer, List<Double>> all = fleet.getOrDefault(figure, Map.of());
            double[] x = readings.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] y = readings.values().stream().mapToDouble(Double::doubleValue).toArray();
            double[] median = readings.keySet().stream().mapToDouble(round -> median(all.get(round))).toArray();
            charts.add(new Document.Lines(node + ": " + figure + " by round", "round", figure,
                    List.of(new Document.Series(node, NODE_COLOUR, x, y),
                            new Document.Series("fleet median", FLEET_COLOUR, x, median)), null));
        });
        return charts;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static String took(Duration d) {
        return d.toHours() > 0 ? String.format(Locale.ROOT, "%dh %02dm", d.toHours(), d.toMinutesPart())
                : String.format(Locale.ROOT, "%dm %02ds", d.toMinutes(), d.toSecondsPart());
    }

}
