package dev.pitwall.planner.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A trace with the shape of public GPU-cluster traces: most jobs small and short, a few large
 * and long (log-normal durations around a median of 30 minutes, capped at a week; 1 to 64 GPUs,
 * whole nodes beyond 8), Poisson arrivals at the rate that offers {@code load} times the
 * cluster's GPUs, spread over four queues of unequal size. The same seed gives the same trace.
 */
public final class SyntheticTrace {

    private static final int[] GPUS = {1, 2, 4, 8, 16, 32, 64};
    private static final double[] GPU_SHARE = {0.45, 0.10, 0.10, 0.20, 0.08, 0.05, 0.02};
    private static final String[] QUEUES = {"research", "production", "eval", "interns"};
    private static final double[] QUEUE_SHARE = {0.4, 0.3, 0.2, 0.1};
    private static final double MEDIAN_SECONDS = 1800;
    private static final double SIGMA = 1.5;
    private static final long MAX_SECONDS = 7 * 86_400;

    private SyntheticTrace() {
    }

    public static List<SimJob> generate(long seed, int count, SimCluster cluster, double load) {
        if (count < 1 || !(load > 0)) {
            throw new IllegalArgumentException("a trace needs at least one job and a load above 0");
        }
        SplittableRandom random = new SplittableRandom(seed);
        double meanGpus = 0;
        for (int i = 0; i < GPUS.length; i++) {
            meanGpus += GPUS[i] * GPU_SHARE[i];
        }
        double meanSeconds = MEDIAN_SECONDS * Math.exp(SIGMA * SIGMA / 2);
        double perSecond = load * cluster.totalGpus() / (meanGpus * meanSeconds);
        List<SimJob> jobs = new ArrayList<>(count);
        double at = 0;
        int perNode = Math.max(1, cluster.gpusPerNode());
        for (int i = 0; i < count; i++) {
            at += -Math.log(1 - random.nextDouble()) / perSecond;
            int gpus = GPUS[pick(random, GPU_SHARE)];
            int tasks = gpus <= perNode ? 1 : gpus / perNode;
            int perTask = gpus <= perNode ? gpus : perNode;
            long seconds = Math.min(MAX_SECONDS, Math.max(60, Math.round(MEDIAN_SECONDS
                    * Math.exp(SIGMA * gaussian(random)))));
            jobs.add(new SimJob("job-" + i, QUEUES[pick(random, QUEUE_SHARE)], Math.round(at), seconds, tasks, perTask,
                    perTask * 8, perTask * 64));
        }
        return jobs;
    }

    private static int pick(SplittableRandom random, double[] shares) {
        double u = random.nextDouble();
        for (int i = 0; i < shares.length; i++) {
            u -= shares[i];
            if (u < 0) {
                return i;
            }
        }
        return shares.length - 1;
    }

    /** A standard normal value (Box–Muller). */
    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
