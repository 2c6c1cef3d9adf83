package dev.pitwall.bench;

import dev.pitwall.planner.schedule.Policy;
import dev.pitwall.planner.schedule.ScheduleResult;
import dev.pitwall.planner.schedule.ScheduleSimulator;
import dev.pitwall.planner.schedule.SimCluster;
import dev.pitwall.planner.schedule.SimJob;
import dev.pitwall.planner.schedule.SyntheticTrace;
import java.util.List;
import java.util.Locale;

/**
 * The scheduling simulator's speed: JOBS synthetic jobs (default 100,000) at an offered load of
 * 1.0 on 812 nodes of 8 GPUs (6,496 GPUs), each policy replayed once on this one thread, with
 * the wall time of each replay. Bounded: one replay per policy.
 */
public final class ScheduleBench {

    private ScheduleBench() {
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        SimCluster cluster = new SimCluster(812, 8, 192, 2048, 4, 8);
        List<SimJob> trace = SyntheticTrace.generate(42, count, cluster, 1.0);
        System.out.printf(Locale.ROOT, "%d jobs, %d GPUs%n", count, cluster.totalGpus());
        for (Policy policy : Policy.values()) {
            long start = System.nanoTime();
            ScheduleResult r = new ScheduleSimulator(cluster, trace, policy).run();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%-18s %6.1f s   JCT mean %.2f h, wait mean %.2f h, stuck %d%n",
                    policy.label(), seconds, r.jctMeanSeconds() / 3600, r.waitMeanSeconds() / 3600, r.neverStarted());
        }
    }
}
