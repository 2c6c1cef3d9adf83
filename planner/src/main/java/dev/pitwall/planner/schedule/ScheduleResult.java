package dev.pitwall.planner.schedule;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one policy made of a trace.
 *
 * @param jctMeanSeconds         mean job completion time (submission to end) of the jobs that ran
 * @param waitMeanSeconds        mean queueing delay (submission to start)
 * @param makespanSeconds        from the first submission to the last completion
 * @param gpuAllocation          GPU-time allocated over GPU-time available during the makespan
 * @param fragmentedGpus         mean free GPUs on nodes partly in use (room no whole-node job can take)
 * @param jainFairness           Jain's index over queues of their mean slowdown's inverse (1: all treated alike)
 * @param dominantShareMaxOverMin the largest queue's time-averaged dominant share over the smallest's
 * @param neverStarted           jobs that could not start (larger than the cluster, or stuck at the end)
 * @param jctCdf                 completion times at every 5th percentile, for the CDF chart
 * @param allocationHours        when the allocation was sampled, in hours from the first submission
 * @param allocatedShare         the share of GPUs allocated from each of those times on
 */
public record ScheduleResult(@JsonProperty("policy") String policy, @JsonProperty("jobs") int jobs,
                             @JsonProperty("jct_mean_s") double jctMeanSeconds, @JsonProperty("jct_p50_s") double jctP50Seconds,
                             @JsonProperty("jct_p99_s") double jctP99Seconds,
                             @JsonProperty("wait_mean_s") double waitMeanSeconds,
                             @JsonProperty("wait_p99_s") double waitP99Seconds,
                             @JsonProperty("makespan_s") long makespanSeconds,
                             @JsonProperty("gpu_allocation") double gpuAllocation,
                             @JsonProperty("fragmented_gpus") double fragmentedGpus,
                             @JsonProperty("jain_fairness") double jainFairness,
                             @JsonProperty("dominant_share_max_over_min") double dominantShareMaxOverMin,
                             @JsonProperty("never_started") int neverStarted,
                             @JsonProperty("jct_cdf_s") List<Double> jctCdf,
                             @JsonProperty("allocation_hours") List<Double> allocationHours,
                             @JsonProperty("allocated_share") List<Double> allocatedShare) {

    /** Points of the allocation-over-time chart at most. */
    static final int ALLOCATION_POINTS = 300;

    static ScheduleResult of(Policy policy, SimCluster cluster, List<SimJob> jobs, long[] start, long[] end, long first,
                             long last, double allocatedGpuSeconds, double fragmentedSeconds,
                             Map<String, Double> dominantShareSeconds, List<double[]> allocation) {
        List<Double> jct = new ArrayList<>();
        List<Double> wait = new ArrayList<>();
        Map<String, double[]> slowdown = new TreeMap<>(); // queue → {sum, count}
        int never = 0;
        for (int i = 0; i < jobs.size(); i++) {
            SimJob job = jobs.get(i);
            if (start[i] < 0) {
                never++;
                continue;
            }
            double completion = end[i] - job.submitSeconds();
            jct.add(completion);
            wait.add((double) (start[i] - job.submitSeconds()));
            double[] s = slowdown.computeIfAbsent(job.queue(), q -> new double[2]);
            s[0] += completion / Math.max(1, job.durationSeconds());
            s[1]++;
        }
        double[] sortedJct = jct.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] sortedWait = wait.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        long makespan = Math.max(0, last - first);
        double sum = 0;
        double squares = 0;
        for (double[] s : slowdown.values()) {
            double x = 1 / (s[0] / s[1]);
            sum += x;
            squares += x * x;
        }
        double jain = slowdown.isEmpty() ? 1 : sum * sum / (slowdown.size() * squares);
        double max = dominantShareSeconds.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double min = dominantShareSeconds.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        List<Double> cdf = new ArrayList<>();
        for (int p = 5; p <= 100; p += 5) {
            cdf.add(percentile(sortedJct, p / 100.0));
        }
        return new ScheduleResult(policy.label(), jobs.size(), mean(sortedJct), percentile(sortedJct, 0.5),
                percentile(sortedJct, 0.99), mean(sortedWait), percentile(sortedWait, 0.99), makespan,
                makespan == 0 ? 0 : allocatedGpuSeconds / ((double) cluster.totalGpus() * makespan),
                makespan == 0 ? 0 : fragmentedSeconds / makespan, jain,
                min == 0 ? (max == 0 ? 1 : Double.POSITIVE_INFINITY) : max / min, never, List.copyOf(cdf),
                sampled(allocation, 0, 3600), sampled(allocation, 1, cluster.totalGpus()));
    }

    /** Column {@code column} of every n-th sample (about {@link #ALLOCATION_POINTS}) and the last, divided by {@code by}. */
    private static List<Double> sampled(List<double[]> samples, int column, double by) {
        int step = Math.max(1, (samples.size() + ALLOCATION_POINTS - 1) / ALLOCATION_POINTS);
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < samples.size(); i += step) {
            out.add(by == 0 ? 0 : samples.get(i)[column] / by);
        }
        if (!samples.isEmpty() && (samples.size() - 1) % step != 0) {
            out.add(by == 0 ? 0 : samples.getLast()[column] / by); // the end of the schedule, always
        }
        return List.copyOf(out);
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(0);
    }

    /** Nearest-rank percentile; 0 without values. */
    static double percentile(double[] sorted, double share) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(share * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
