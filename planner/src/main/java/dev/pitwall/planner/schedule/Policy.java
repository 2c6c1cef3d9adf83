package dev.pitwall.planner.schedule;

import java.util.Locale;
import java.util.Optional;

/**
 * How pending jobs are chosen and placed. Every policy starts a job's tasks together or not at
 * all (a gang); they differ in the order they try jobs and where they put them.
 */
public enum Policy {
    /** Arrival order; a job that does not fit holds back every job behind it. */
    FIFO,
    /** Shortest (known) duration first; any job that fits starts. */
    SJF,
    /** Dominant resource fairness: the queue with the smallest dominant share (GPU, CPU or memory) goes next. */
    DRF,
    /** The queue holding the fewest GPUs goes next. */
    FAIR_SHARE,
    /** Arrival order with backfill: a job that does not fit lets smaller ones behind it start (gang scheduling). */
    GANG,
    /** As GANG, each job kept within the smallest topology domain (rack, then block) it fits, the fullest such. */
    TOPOLOGY_BESTFIT,
    /** As GANG, each job within the fewest racks of one block, its tasks spread evenly across them. */
    TOPOLOGY_BALANCED;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<Policy> parse(String text) {
        for (Policy p : values()) {
            if (p.label().equals(text)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
