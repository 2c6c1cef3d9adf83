package dev.pitwall.server.report;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A percentile bootstrap confidence interval for the difference of two means (after − before),
 * each side resampled on its own. Samples in time order that follow one another closely (step
 * times of one run) are resampled in moving blocks of about n^(1/3) consecutive values (Künsch
 * 1989; Hall, Horowitz and Jing 1995 for the block length), so their autocorrelation is kept
 * instead of the interval coming out too narrow; independent samples (jobs, incidents) in blocks
 * of one. Seeded, so a report is the same each time it is written from the same data.
 *
 * @param resamples  bootstrap resamples (10,000 by default; at least 100)
 * @param confidence the interval's coverage, 0.95 for 95 %
 */
public record Bootstrap(int resamples, double confidence, long seed) {

    /** Fewest samples on a side for an interval: with one value there is nothing to resample. */
    public static final int MIN_SAMPLES = 2;

    public Bootstrap {
        if (resamples < 100) {
            throw new IllegalArgumentException("the bootstrap needs at least 100 resamples, got " + resamples);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("the confidence must be between 0 and 1 (0.95 for 95 %), got " + confidence);
        }
    }

    /** The interval's ends. */
    public record Interval(double low, double high) {

        public boolean excludesZero() {
            return low > 0 || high < 0;
        }
    }

    /**
     * The interval of mean(after) − mean(before); null when a side has fewer than {@link #MIN_SAMPLES}.
     *
     * @param series whether the samples are a time series (resampled in blocks)
     */
    public Interval differenceOfMeans(double[] before, double[] after, boolean series) {
        if (before.length < MIN_SAMPLES || after.length < MIN_SAMPLES) {
            return null;
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] differences = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            differences[r] = resampledMean(after, series, random) - resampledMean(before, series, random);
        }
        Arrays.sort(differences);
        double tail = (1 - confidence) / 2;
        return new Interval(quantile(differences, tail), quantile(differences, 1 - tail));
    }

    static int blockLength(int n, boolean series) {
        return series ? Math.max(1, (int) Math.round(Math.cbrt(n))) : 1;
    }

    private static double resampledMean(double[] values, boolean series, SplittableRandom random) {
        int n = values.length;
        int block = blockLength(n, series);
        double sum = 0;
        int taken = 0;
        while (taken < n) {
            int start = random.nextInt(n - block + 1);
            for (int i = 0; i < block && taken < n; i++, taken++) {
                sum += values[start + i];
            }
        }
        return sum / n;
    }

    /** Linear interpolation between the order statistics around {@code p}. */
    private static double quantile(double[] sorted, double p) {
        double position = p * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
