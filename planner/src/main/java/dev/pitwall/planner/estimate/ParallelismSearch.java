package dev.pitwall.planner.estimate;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Every TP / PP / CP / EP / ZeRO / recomputation / micro-batch layout of a model on a cluster,
 * kept when it fits, ranked by the roofline's step time, the best ones explained.
 */
public final class ParallelismSearch {

    private static final double GIB = 1024.0 * 1024 * 1024;
    /** Context parallelism only pays off for long sequences; below this it is not tried. */
    private static final int LONG_SEQUENCE = 16_384;

    private ParallelismSearch() {
    }

    /** One layout that fits, with its estimate and why it ranks where it does. */
    public record Choice(@JsonProperty("rank") int rank, @JsonIgnore TrainingSetup setup,
                         @JsonProperty("estimate") Estimate estimate,
                         @JsonProperty("tokens_per_s") double tokensPerSecond, @JsonProperty("why") String why) {
    }

    /** @param considered layouts tried; {@code fitting} of them fit in memory */
    public record Result(int considered, int fitting, List<Choice> best) {
    }

    public static Result search(ModelSpec model, TrainingSetup base, Cluster cluster, int top) {
        int considered = 0;
        List<Choice> fitting = new ArrayList<>();
        for (int tp = 1; tp <= cluster.gpusPerNode(); tp *= 2) {
            for (int pp = 1; pp <= Math.min(model.layers(), 64); pp *= 2) {
                for (int cp = 1; cp <= (base.seq() >= LONG_SEQUENCE ? 8 : 1); cp *= 2) {
                    for (int ep = 1; ep <= (model.moe() ? model.experts() : 1); ep *= 2) {
                        for (int zero = 0; zero <= 3; zero++) {
                            for (TrainingSetup.Recompute recompute : TrainingSetup.Recompute.values()) {
                                for (int micro = 1; micro <= 8; micro *= 2) {
                                    TrainingSetup setup;
                                    Estimate estimate;
                                    try {
                                        setup = base.withParallel(tp, pp, cp, ep)
                                                .withMemorySavers(recompute, zero, micro, TrainingSetup.Offload.NONE);
                                        estimate = Estimator.estimate(model, setup, cluster, OptionalDouble.empty(),
                                                Optional.empty());
                                    } catch (IllegalArgumentException doesNotDivide) {
                                        continue;
                                    }
                                    considered++;
                                    if (estimate.fits()) {
                                        fitting.add(new Choice(0, setup, estimate, estimate.tokensPerSecond(setup), ""));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Fastest first; among equals, the one with the most memory to spare.
        fitting.sort(Comparator.comparingDouble((Choice c) -> c.estimate().stepSeconds())
                .thenComparingDouble(c -> c.estimate().memory().total()));
        List<Choice> best = new ArrayList<>();
        for (int i = 0; i < Math.min(top, fitting.size()); i++) {
            Choice c = fitting.get(i);
            best.add(new Choice(i + 1, c.setup(), c.estimate(), c.tokensPerSecond(),
                    explain(c, i == 0 ? Optional.empty() : Optional.of(fitting.getFirst()))));
        }
        return new Result(considered, fitting.size(), best);
    }

    /** Where the step's time goes and how much memory is left; for the runners-up, what they lose against the best. */
    private static String explain(Choice choice, Optional<Choice> leader) {
        Estimate e = choice.estimate();
        Estimate.StepTime t = e.time();
        String largest = e.communication().stream().max(Comparator.comparingDouble(Estimate.Communication::seconds))
                .map(c -> String.format(Locale.ROOT, "; most traffic: %s parallel over %s (%.0f ms)", c.dimension(),
                        c.link(), c.seconds() * 1000))
                .orElse("; no communication");
        String own = String.format(Locale.ROOT, "uses %.1f of %.1f GiB; compute %.0f%% of the step, pipeline bubble %.0f%%, "
                        + "exposed communication %.0f%%%s", e.memory().total() / GIB, e.memory().available() / GIB,
                100 * t.computeSeconds() / e.stepSeconds(), 100 * t.bubbleSeconds() / e.stepSeconds(),
                100 * t.exposedCommunicationSeconds() / e.stepSeconds(), largest);
        if (leader.isEmpty()) {
            return own;
        }
        Estimate.StepTime best = leader.get().estimate().time();
        double slower = e.stepSeconds() / leader.get().estimate().stepSeconds() - 1;
        String cause = t.bubbleSeconds() - best.bubbleSeconds() > t.exposedCommunicationSeconds() - best.exposedCommunicationSeconds()
                && t.bubbleSeconds() - best.bubbleSeconds() > t.computeSeconds() - best.computeSeconds()
                ? "a larger pipeline bubble"
                : t.exposedCommunicationSeconds() - best.exposedCommunicationSeconds() > t.computeSeconds() - best.computeSeconds()
                ? "more exposed communication" : "more recomputation";
        return String.format(Locale.ROOT, "%.1f%% slower than #1, mostly %s; %s", 100 * slower, cause, own);
    }
}
