package dev.pitwall.acceptance.verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One slow node among many shows against the fleet even without a baseline: each node's figure
 * is compared with the fleet's median (as SuperBench's rule-based diagnosis compares against a
 * reference), and a node well below it is named. Needs at least three nodes, so that the median
 * is not the slow node itself.
 */
public final class FleetOutliers {

    /** Below the median by this share: a warning. */
    public static final double WARN_BELOW = 0.10;
    /** Below the median by this share: a failure. */
    public static final double FAIL_BELOW = 0.20;

    private FleetOutliers() {
    }

    /**
     * @param check        the figure's name in findings
     * @param valueByNode  each node's figure, higher being better
     * @param unit         how to show the figure
     */
    public static List<Finding> check(String check, Map<String, Double> valueByNode, String unit) {
        List<Finding> findings = new ArrayList<>();
        if (valueByNode.size() < 3) {
            return findings;
        }
        double median = median(valueByNode.values().stream().mapToDouble(Double::doubleValue).sorted().toArray());
        if (!(median > 0)) {
            return findings;
        }
        valueByNode.forEach((node, value) -> {
            double shortfall = 1 - value / median;
            Verdict verdict = shortfall >= FAIL_BELOW ? Verdict.FAIL : shortfall >= WARN_BELOW ? Verdict.WARN : Verdict.PASS;
            if (verdict != Verdict.PASS) {
                findings.add(new Finding(node, check, verdict, format(value, unit), format(median, unit) + " (fleet median)",
                        String.format(Locale.ROOT, "%s is %.0f%% below the fleet median on %s", check, shortfall * 100, node)));
            }
        });
        return findings;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String format(double value, String unit) {
        return String.format(Locale.ROOT, "%.2f %s", value, unit);
    }
}
