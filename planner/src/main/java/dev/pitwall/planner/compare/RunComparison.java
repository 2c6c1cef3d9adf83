package dev.pitwall.planner.compare;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Two runs' values of one metric, aligned by step: equivalent within a tolerance, or diverging
 * from a step on. Step-to-step noise is smoothed with a trailing mean over {@code window} aligned
 * points, and a divergence must last {@code patience} points, so that one noisy step does not
 * count while a real drift is caught where it starts.
 *
 * @param tolerance  largest relative difference of the smoothed values still counted as equal
 * @param divergesAt the first step of the lasting divergence, when there is one
 */
public record RunComparison(@JsonProperty("metric") String metric, @JsonProperty("baseline") String baseline,
                            @JsonProperty("candidate") String candidate, @JsonProperty("aligned_steps") int alignedSteps,
                            @JsonProperty("tolerance") double tolerance, @JsonProperty("window") int window,
                            @JsonProperty("equivalent") boolean equivalent,
                            @JsonProperty("diverges_at_step") OptionalLong divergesAt,
                            @JsonProperty("max_relative_difference") double maxRelativeDifference,
                            @JsonProperty("mean_relative_difference") double meanRelativeDifference,
                            @JsonProperty("verdict") String verdict, @JsonProperty("points") List<Point> points) {

    public record Point(@JsonProperty("step") long step, @JsonProperty("baseline") double baseline,
                        @JsonProperty("candidate") double candidate,
                        @JsonProperty("relative_difference") double relativeDifference) {
    }

    /** Fewest aligned steps on which two runs are called equivalent (more when window and patience ask for it). */
    public static final int MIN_ALIGNED_STEPS = 10;

    public static RunComparison of(String metric, RunMetrics baseline, RunMetrics candidate, double tolerance, int window,
                                   int patience) {
        if (!(tolerance >= 0) || window < 1 || patience < 1) {
            throw new IllegalArgumentException("tolerance must be 0 or more, window and patience 1 or more");
        }
        TreeMap<Long, Double> a = baseline.metric(metric);
        TreeMap<Long, Double> b = candidate.metric(metric);
        List<Point> points = new ArrayList<>();
        double[] ringA = new double[window];
        double[] ringB = new double[window];
        double sumA = 0;
        double sumB = 0;
        int seen = 0;
        int streak = 0;
        long streakStart = -1;
        Long divergence = null;
        double maxDiff = 0;
        double totalDiff = 0;
        for (Map.Entry<Long, Double> entry : a.entrySet()) {
            Double other = b.get(entry.getKey());
            if (other == null) {
                continue;
            }
            double x = entry.getValue();
            double y = other;
            if (!Double.isFinite(x) || !Double.isFinite(y)) {
                // A NaN or Inf in only one run is a divergence at once; in both, the runs agree on failing.
                boolean both = !Double.isFinite(x) && !Double.isFinite(y);
                points.add(new Point(entry.getKey(), x, y, both ? 0 : Double.POSITIVE_INFINITY));
                if (!both && divergence == null) {
                    divergence = entry.getKey();
                }
                continue;
            }
            int slot = seen % window;
            sumA += x - (seen >= window ? ringA[slot] : 0);
            sumB += y - (seen >= window ? ringB[slot] : 0);
            ringA[slot] = x;
            ringB[slot] = y;
            seen++;
            int n = Math.min(seen, window);
            double diff = relative(sumA / n, sumB / n);
            points.add(new Point(entry.getKey(), x, y, diff));
            maxDiff = Math.max(maxDiff, diff);
            totalDiff += diff;
            if (diff > tolerance) {
                if (streak++ == 0) {
                    streakStart = entry.getKey();
                }
                if (streak >= patience && divergence == null) {
                    divergence = streakStart;
                }
            } else {
                streak = 0;
            }
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException("the runs share no step with a " + metric + " value: baseline steps "
                    + range(a) + ", candidate steps " + range(b));
        }
        int needed = Math.max(MIN_ALIGNED_STEPS, window + patience);
        if (divergence == null && points.size() < needed) {
            // A divergence shows in few steps; equivalence needs enough of them to mean anything.
            throw new IllegalArgumentException("not enough aligned steps to call the runs equivalent: " + points.size()
                    + " align, at least " + needed + " are needed (baseline steps " + range(a) + ", candidate steps "
                    + range(b) + ")");
        }
        double mean = seen == 0 ? 0 : totalDiff / seen;
        String verdict = divergence == null
                ? String.format(java.util.Locale.ROOT, "equivalent within %.1f%% over %d aligned steps (largest smoothed "
                + "difference %.2f%%)", tolerance * 100, points.size(), maxDiff * 100)
                : "diverges from step " + divergence;
        return new RunComparison(metric, baseline.file(), candidate.file(), points.size(), tolerance, window,
                divergence == null, divergence == null ? OptionalLong.empty() : OptionalLong.of(divergence), maxDiff, mean,
                verdict, points);
    }

    private static double relative(double x, double y) {
        double scale = Math.max(Math.abs(x), Math.abs(y));
        return scale == 0 ? 0 : Math.abs(x - y) / scale;
    }

    private static String range(TreeMap<Long, Double> values) {
        return values.isEmpty() ? "none" : values.firstKey() + "-" + values.lastKey();
    }
}
