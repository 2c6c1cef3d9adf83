package dev.pitwall.acceptance.campaign;

import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a node's rounds show together, which no single round does: a figure that keeps falling
 * (bus bandwidth, GFLOP/s), health counters that moved during the campaign (double-bit ECC
 * errors, rows remapped, new Xids), thermal throttling that grows, links that go down more and
 * more often, and GPUs that run hotter round after round.
 */
public final class CampaignTrends {

    /** A rise of the hottest GPU's temperature over the campaign worth a warning, °C. */
    private static final double TEMPERATURE_RISE = 5;
    /** Figures judged by consistency with the fleet, not by a trend. */
    private static final Set<String> NOT_TRENDED = Set.of("nvidia-smi.gpu_count");

    private CampaignTrends() {
    }

    /** @param rounds one node's rounds, round 0 (its first counter reading) included where there is one */
    public static List<CampaignFinding> check(String node, List<NodeRound> rounds, CampaignPlan.TrendRules rules) {
        List<NodeRound> sorted = rounds.stream().sorted(Comparator.comparingInt(NodeRound::round)).toList();
        List<NodeRound> measured = sorted.stream().filter(r -> r.round() > 0).toList();
        List<CampaignFinding> findings = new ArrayList<>();
        if (measured.isEmpty()) {
            return findings;
        }
        falling(node, measured, rules, findings);
        counters(node, sorted, rules, findings);
        return findings;
    }

    private static void falling(String node, List<NodeRound> measured, CampaignPlan.TrendRules rules,
                                List<CampaignFinding> findings) {
        Set<String> names = new TreeSet<>();
        measured.forEach(r -> names.addAll(r.figures().keySet()));
        names.removeAll(NOT_TRENDED);
        for (String figure : names) {
            List<NodeRound> with = measured.stream().filter(r -> r.figures().containsKey(figure)).toList();
            double[] values = with.stream().mapToDouble(r -> r.figures().get(figure)).toArray();
            Trend trend = Trend.of(values, rules.significance());
            if (trend.pFalling() < rules.significance() && trend.relativeChange() <= -rules.minDecline()) {
                findings.add(finding(with, figure, node, "trend." + figure, Verdict.FAIL,
                        String.format(Locale.ROOT, "%.1f%% over %d rounds", -100 * trend.relativeChange(), values.length),
                        String.format(Locale.ROOT, "no significant fall of %.0f%% or more", 100 * rules.minDecline()),
                        String.format(Locale.ROOT, "%s fell %.1f%% over %d rounds on %s (Theil-Sen %.3g a round, "
                                        + "Mann-Kendall p = %.2g): %s", figure, -100 * trend.relativeChange(), values.length,
                                node, trend.slope(), trend.pFalling(), series(values))));
            }
        }
    }

    private static void counters(String node, List<NodeRound> rounds, CampaignPlan.TrendRules rules,
                                 List<CampaignFinding> findings) {
        rounds.stream().filter(r -> r.counters().getOrDefault(NodeCounters.ROW_REMAP_FAILURE, 0.0) > 0).findFirst()
                .ifPresent(r -> findings.add(new CampaignFinding(r.round(), CampaignFinding.TRENDS,
                        new Finding(node, "counter." + NodeCounters.ROW_REMAP_FAILURE, Verdict.FAIL,
                                fmt(r.counters().get(NodeCounters.ROW_REMAP_FAILURE)) + " GPU(s)", "0",
                                "row remapping failed on " + node + " (DCGM_FI_DEV_ROW_REMAP_FAILURE): its memory can "
                                        + "no longer retire bad rows; the GPU needs replacing"), r.evidence(NodeRound.COUNTERS))));
        firstRise(node, rounds, NodeCounters.ECC_DBE, Verdict.FAIL, "double-bit ECC error(s)", findings);
        firstRise(node, rounds, NodeCounters.REMAPPED_UNCORRECTABLE, Verdict.FAIL,
                "row(s) remapped for uncorrectable errors", findings);
        firstRise(node, rounds, NodeCounters.REMAPPED_CORRECTABLE, Verdict.WARN, "row(s) remapped for correctable errors",
                findings);
        newXids(node, rounds, findings);
        thermal(node, rounds, rules, findings);
        linkFlaps(node, rounds, rules, findings);
        hotter(node, rounds, rules, findings);
    }

    /** The first round in which a counter rose, as a finding. */
    private static void firstRise(String node, List<NodeRound> rounds, String counter, Verdict verdict, String what,
                                  List<CampaignFinding> findings) {
        Double previous = null;
        for (NodeRound round : rounds) {
            Double value = round.counters().get(counter);
            if (value == null) {
                continue;
            }
            if (previous != null && delta(previous, value) > 0) {
                double rise = delta(previous, value);
                findings.add(new CampaignFinding(round.round(), CampaignFinding.TRENDS,
                        new Finding(node, "counter." + counter, verdict, "+" + fmt(rise), "no change",
                                fmt(rise) + " new " + what + " on " + node + " in round " + round.round() + " ("
                                        + counter + " " + fmt(previous) + " → " + fmt(value) + ")"), round.evidence(NodeRound.COUNTERS)));
                return;
            }
            previous = value;
        }
    }

    /** Xids a GPU reported during the campaign: a new last-Xid value, or Xids in dcgm-exporter's window. */
    private static void newXids(String node, List<NodeRound> rounds, List<CampaignFinding> findings) {
        Map<String, Double> last = new TreeMap<>();
        for (NodeRound round : rounds) {
            Set<String> seen = new TreeSet<>();
            round.counters().forEach((name, value) -> {
                if (name.startsWith(NodeCounters.XID_LAST)) {
                    Double before = last.put(name, value);
                    if (round.round() > 0 && value > 0 && (before == null || !before.equals(value))) {
                        seen.add("Xid " + fmt(value) + " on GPU " + name.substring(NodeCounters.XID_LAST.length()));
                    }
                } else if (name.startsWith(NodeCounters.XID_WINDOW) && round.round() > 0 && value > 0) {
                    seen.add(fmt(value) + " × Xid " + name.substring(NodeCounters.XID_WINDOW.length()));
                }
            });
            if (!seen.isEmpty()) {
                String which = String.join(", ", seen);
                findings.add(new CampaignFinding(round.round(), CampaignFinding.TRENDS,
                        new Finding(node, "counter.xid", Verdict.FAIL, which, "no Xid",
                                which + " on " + node + " in round " + round.round()
                                        + ": under a known-good load an Xid is the GPU or its driver failing"),
                        round.evidence(NodeRound.COUNTERS)));
                return;
            }
        }
    }

    private static void thermal(String node, List<NodeRound> rounds, CampaignPlan.TrendRules rules,
                                List<CampaignFinding> findings) {
        List<NodeRound> with = new ArrayList<>();
        double[] perRound = deltas(rounds, NodeCounters.THERMAL_VIOLATION, with);
        double limit = rules.throttleSeconds() * 1e6;
        if (Arrays.stream(perRound).allMatch(d -> d < limit)) {
            return;
        }
        Trend trend = Trend.of(perRound, rules.significance());
        double total = Arrays.stream(perRound).sum();
        String seconds = series(Arrays.stream(perRound).map(d -> d / 1e6).toArray()) + " s a round";
        boolean growing = trend.pRising() < rules.significance() && perRound[perRound.length - 1] >= limit;
        findings.add(finding(with, NodeRound.COUNTERS, node, "trend.thermal_violation", growing ? Verdict.FAIL : Verdict.WARN,
                fmt(total / 1e6) + " s throttled", growing ? "no growing thermal throttling"
                        : "under " + fmt(rules.throttleSeconds()) + " s of thermal throttling a round",
                growing ? String.format(Locale.ROOT, "thermal throttling grows on %s round after round (Mann-Kendall p = "
                        + "%.2g): %s; look at its cooling (fans, airflow, thermal paste) before it fails", node,
                        trend.pRising(), seconds)
                        : "clocks held back for heat on " + node + " (DCGM_FI_DEV_THERMAL_VIOLATION): " + seconds));
    }

    private static void linkFlaps(String node, List<NodeRound> rounds, CampaignPlan.TrendRules rules,
                                  List<CampaignFinding> findings) {
        List<NodeRound> with = new ArrayList<>();
        double[] perRound = deltas(rounds, NodeCounters.LINK_DOWNED, with);
        double total = Arrays.stream(perRound).sum();
        if (total == 0) {
            return;
        }
        Trend trend = Trend.of(perRound, rules.significance());
        boolean accelerating = trend.pRising() < rules.significance() && total >= 2;
        boolean fail = total >= rules.linkFlapsToFail() || accelerating;
        String counts = series(perRound);
        findings.add(finding(with, NodeRound.COUNTERS, node, "counter.link_flaps", fail ? Verdict.FAIL : Verdict.WARN,
                fmt(total) + " link-down event(s)", "fewer than " + rules.linkFlapsToFail() + ", not growing",
                "InfiniBand links of " + node + " went down " + fmt(total) + " time(s) (node_infiniband_link_downed_total "
                        + "a round: " + counts + ")" + (accelerating ? ", more often round after round" : "")
                        + (fail ? "; reseat or replace the cable or transceiver" : "")));
    }

    private static void hotter(String node, List<NodeRound> rounds, CampaignPlan.TrendRules rules,
                               List<CampaignFinding> findings) {
        List<NodeRound> with = rounds.stream().filter(r -> r.round() > 0 && r.counters().containsKey(NodeCounters.GPU_TEMP_MAX))
                .toList();
        double[] values = with.stream().mapToDouble(r -> r.counters().get(NodeCounters.GPU_TEMP_MAX)).toArray();
        Trend trend = Trend.of(values, rules.significance());
        if (trend.pRising() < rules.significance() && trend.change() >= TEMPERATURE_RISE) {
            findings.add(finding(with, NodeRound.COUNTERS, node, "trend.gpu_temp_max", Verdict.WARN,
                    String.format(Locale.ROOT, "+%.1f °C", trend.change()), "steady",
                    String.format(Locale.ROOT, "the hottest GPU of %s runs %.1f °C hotter over %d rounds (Mann-Kendall "
                            + "p = %.2g): %s", node, trend.change(), values.length, trend.pRising(), series(values))));
        }
    }

    /**
     * A counter's rise in each round after the first reading; a counter that went down was reset
     * (a driver reload), so its new value is the rise. {@code with} gets the rounds the rises belong to.
     */
    private static double[] deltas(List<NodeRound> rounds, String counter, List<NodeRound> with) {
        List<Double> rises = new ArrayList<>();
        Double previous = null;
        for (NodeRound round : rounds) {
            Double value = round.counters().get(counter);
            if (value == null) {
                continue;
            }
            if (previous != null) {
                rises.add(delta(previous, value));
                with.add(round);
            }
            previous = value;
        }
        return rises.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double delta(double previous, double value) {
        return value >= previous ? value - previous : value;
    }

    /** A finding over several rounds: made in the last, resting on the first and the last round's outputs. */
    private static CampaignFinding finding(List<NodeRound> rounds, String measured, String node, String check,
                                           Verdict verdict, String value, String expected, String detail) {
        NodeRound first = rounds.getFirst();
        NodeRound last = rounds.getLast();
        String evidence = first == last ? last.evidence(measured)
                : first.evidence(measured) + " … " + last.evidence(measured);
        return new CampaignFinding(last.round(), CampaignFinding.TRENDS,
                new Finding(node, check, verdict, value, expected, detail), evidence);
    }

    /** The readings, the first and last four of a long series. */
    private static String series(double[] values) {
        if (values.length > 10) {
            return series(Arrays.copyOfRange(values, 0, 4)) + " … "
                    + series(Arrays.copyOfRange(values, values.length - 4, values.length));
        }
        return Arrays.stream(values).mapToObj(CampaignTrends::fmt).collect(Collectors.joining(", "));
    }

    private static String fmt(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.3g", value);
    }
}
