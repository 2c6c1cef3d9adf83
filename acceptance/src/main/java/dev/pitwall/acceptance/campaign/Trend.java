package dev.pitwall.acceptance.campaign;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The trend of one series of readings across rounds: the Mann-Kendall test says whether it goes
 * one way more than chance allows (it assumes nothing about the noise's distribution and ignores
 * outliers' size), and the Theil-Sen slope (the median of the pairwise slopes) says by how much.
 * A trend needs both: a significant one, and a change worth acting on.
 *
 * @param rounds     how many readings the series has
 * @param slope      change per round (Theil-Sen)
 * @param start      the fitted value at the first round
 * @param pFalling   one-sided p-value of "the series falls"
 * @param pRising    one-sided p-value of "the series rises"
 */
public record Trend(int rounds, double slope, double start, double pFalling, double pRising) {

    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    /**
     * Readings in round order; fewer than three have no trend (both p-values 1). The slope, which
     * costs a sort of every pair, is fitted only when {@code fitWhenBelow} is above one of the
     * p-values (otherwise it is 0): a campaign needs it only for a significant trend.
     */
    public static Trend of(double[] values, double fitWhenBelow) {
        int n = values.length;
        if (n < 3) {
            return new Trend(n, 0, n == 0 ? 0 : values[0], 1, 1);
        }
        long s = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                s += values[j] > values[i] ? 1 : values[j] < values[i] ? -1 : 0;
            }
        }
        double variance = (n * (n - 1.0) * (2 * n + 5) - tieCorrection(values)) / 18;
        // Continuity correction: S moves in steps of 2.
        double z = variance == 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
        double pFalling = STANDARD_NORMAL.cumulativeProbability(z);
        double pRising = 1 - pFalling;
        if (Math.min(pFalling, pRising) >= fitWhenBelow) {
            return new Trend(n, 0, values[0], pFalling, pRising);
        }
        double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                slopes[k++] = (values[j] - values[i]) / (j - i);
            }
        }
        double slope = median(slopes);
        double[] intercepts = new double[n];
        for (int i = 0; i < n; i++) {
            intercepts[i] = values[i] - slope * i;
        }
        return new Trend(n, slope, median(intercepts), pFalling, pRising);
    }

    /** The test and the fitted slope, always. */
    public static Trend of(double[] values) {
        return of(values, 1.1);
    }

    /** The fitted change from the first round to the last, as a share of the first round's value. */
    public double relativeChange() {
        return start == 0 ? 0 : slope * (rounds - 1) / Math.abs(start);
    }

    /** The fitted change from the first round to the last, in the series' unit. */
    public double change() {
        return slope * (rounds - 1);
    }

    /** Σ t(t-1)(2t+5) over groups of equal readings, which lowers S's variance. */
    private static double tieCorrection(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double correction = 0;
        int i = 0;
        while (i < sorted.length) {
            int j = i;
            while (j < sorted.length && sorted[j] == sorted[i]) {
                j++;
            }
            long t = j - i;
            correction += t * (t - 1) * (2 * t + 5);
            i = j;
        }
        return correction;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
