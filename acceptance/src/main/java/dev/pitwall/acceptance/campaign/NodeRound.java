package dev.pitwall.acceptance.campaign;

import java.util.Locale;
import java.util.Map;

/**
 * What one round measured on one node: its figures (higher is better, as {@code NodeFigures}
 * names them) and the last reading of its health counters. Round 0 holds the node's first
 * counter reading only, the point the campaign's deltas start from.
 *
 * @param stages the stage that measured each figure, and under {@link #COUNTERS} the stage of the
 *               counters' reading, so every finding can point at the outputs it rests on
 */
public record NodeRound(String node, int round, Map<String, Double> figures, Map<String, Double> counters,
                        Map<String, String> stages) {

    /** The key of {@link #stages} for the counters' reading. */
    public static final String COUNTERS = "counters";

    public NodeRound {
        figures = Map.copyOf(figures);
        counters = Map.copyOf(counters);
        stages = Map.copyOf(stages);
    }

    /** Where the outputs behind a figure (or {@link #COUNTERS}) lie, relative to the campaign's folder. */
    public String evidence(String measured) {
        // Round 0's reading was taken in round 1's first stage that read counters.
        return folder(Math.max(round, 1), stages.getOrDefault(measured, "*"), node);
    }

    /** A stage's output folder for a node. */
    public static String folder(int round, String stage, String node) {
        return String.format(Locale.ROOT, "round-%03d/%s/%s", round, stage, node);
    }
}
