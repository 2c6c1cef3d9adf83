package dev.pitwall.planner.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Replays a job trace on a cluster under one policy, event by event (arrivals and completions),
 * and measures what users and the platform team would see: job completion times, waits,
 * makespan, GPU allocation, fragmentation and fairness between queues. Deterministic: the same
 * trace and policy give the same schedule.
 */
public final class ScheduleSimulator {

    /**
     * Jobs a backfilling pass looks at beyond the first that does not fit, as real schedulers
     * bound theirs (Slurm's {@code bf_max_job_test} defaults to 500).
     */
    static final int BACKFILL_WINDOW = 500;

    private final SimCluster cluster;
    private final List<SimJob> jobs;
    private final Policy policy;

    private final int[] freeGpu;
    private final int[] freeCpu;
    private final int[] freeMem;
    /** nodes by how many GPUs they have free: {@code byFree[f]} nodes have exactly f. */
    private final int[] byFree;
    private long freeGpus;
    private long fragmentedFree;

    private final long[] start;
    private final long[] end;
    private final int[][] placed;
    private final Map<String, long[]> usage = new TreeMap<>(); // queue → {gpus, cpus, memory}
    private final Map<String, Double> dominantShareSeconds = new TreeMap<>();
    /** {seconds from the first submission, GPUs allocated from then on} at each event. */
    private final List<double[]> allocation = new ArrayList<>();
    private double allocatedGpuSeconds;
    private double fragmentedSeconds;

    public ScheduleSimulator(SimCluster cluster, List<SimJob> jobs, Policy policy) {
        this.cluster = cluster;
        this.jobs = jobs.stream().sorted(Comparator.comparingLong(SimJob::submitSeconds)).toList();
        this.policy = policy;
        int n = cluster.nodes();
        freeGpu = new int[n];
        freeCpu = new int[n];
        freeMem = new int[n];
        Arrays.fill(freeGpu, cluster.gpusPerNode());
        Arrays.fill(freeCpu, cluster.cpusPerNode());
        Arrays.fill(freeMem, cluster.memoryGbPerNode());
        byFree = new int[cluster.gpusPerNode() + 1];
        byFree[cluster.gpusPerNode()] = n;
        freeGpus = cluster.totalGpus();
        start = new long[this.jobs.size()];
        end = new long[this.jobs.size()];
        Arrays.fill(start, -1);
        placed = new int[this.jobs.size()][];
        for (SimJob job : this.jobs) {
            usage.putIfAbsent(job.queue(), new long[3]);
            dominantShareSeconds.putIfAbsent(job.queue(), 0.0);
        }
    }

    /** Runs the whole trace. Jobs that can never fit the cluster stay unstarted and are counted so. */
    public ScheduleResult run() {
        PriorityQueue<long[]> running = new PriorityQueue<>(Comparator.<long[]>comparingLong(e -> e[0])
                .thenComparingLong(e -> e[1]));
        Pending pending = new Pending();
        int next = 0;
        long now = jobs.isEmpty() ? 0 : jobs.getFirst().submitSeconds();
        long first = now;
        while (next < jobs.size() || !running.isEmpty()) {
            long arrival = next < jobs.size() ? jobs.get(next).submitSeconds() : Long.MAX_VALUE;
            long completion = running.isEmpty() ? Long.MAX_VALUE : running.peek()[0];
            long at = Math.min(arrival, completion);
            account(at - now);
            now = at;
            while (!running.isEmpty() && running.peek()[0] == now) {
                release((int) running.poll()[1]);
            }
            while (next < jobs.size() && jobs.get(next).submitSeconds() == now) {
                pending.add(next++);
            }
            for (int started : schedule(pending, now)) {
                running.add(new long[] {end[started], started});
            }
            allocation.add(new double[] {now - first, cluster.totalGpus() - freeGpus});
            if (running.isEmpty() && next >= jobs.size()) {
                break; // what is still pending can never start
            }
        }
        return ScheduleResult.of(policy, cluster, jobs, start, end, first, now, allocatedGpuSeconds,
                fragmentedSeconds, dominantShareSeconds, allocation);
    }

    /** When each job started (seconds from the trace's start), by id; absent for those that never did. Read after {@link #run}. */
    public Map<String, Long> starts() {
        Map<String, Long> out = new TreeMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            if (start[i] >= 0) {
                out.put(jobs.get(i).id(), start[i]);
            }
        }
        return out;
    }

    /** The node of each task of job {@code id}, or null when it never started. Read after {@link #run}. */
    public int[] nodesOf(String id) {
        for (int i = 0; i < jobs.size(); i++) {
            if (jobs.get(i).id().equals(id)) {
                return placed[i];
            }
        }
        return null;
    }

    private void account(long seconds) {
        if (seconds <= 0) {
            return;
        }
        allocatedGpuSeconds += (double) (cluster.totalGpus() - freeGpus) * seconds;
        fragmentedSeconds += (double) fragmentedFree * seconds;
        long totalCpu = (long) cluster.nodes() * cluster.cpusPerNode();
        long totalMem = (long) cluster.nodes() * cluster.memoryGbPerNode();
        usage.forEach((queue, u) -> dominantShareSeconds.merge(queue, seconds * dominantShare(u, totalCpu, totalMem),
                Double::sum));
    }

    private double dominantShare(long[] u, long totalCpu, long totalMem) {
        double gpu = cluster.totalGpus() == 0 ? 0 : (double) u[0] / cluster.totalGpus();
        return Math.max(gpu, Math.max((double) u[1] / totalCpu, (double) u[2] / totalMem));
    }

    /** Starts what the policy lets start now; answers the jobs started. */
    private List<Integer> schedule(Pending pending, long now) {
        List<Integer> started = new ArrayList<>();
        switch (policy) {
            case FIFO -> {
                for (Iterator<Integer> it = pending.inOrder.iterator(); it.hasNext(); ) {
                    int j = it.next();
                    if (!tryStart(j, now)) {
                        break;
                    }
                    it.remove();
                    pending.removed(j);
                    started.add(j);
                }
            }
            case SJF -> backfill(pending.byDuration, pending, now, started);
            case GANG, TOPOLOGY_BESTFIT, TOPOLOGY_BALANCED -> backfill(pending.inOrder, pending, now, started);
            case DRF, FAIR_SHARE -> byShare(pending, now, started);
        }
        return started;
    }

    private void backfill(TreeSet<Integer> order, Pending pending, long now, List<Integer> started) {
        int looked = 0;
        for (Iterator<Integer> it = order.iterator(); it.hasNext() && looked < BACKFILL_WINDOW; looked++) {
            int j = it.next();
            if (freeGpus == 0 && jobs.get(j).gpus() > 0) {
                break;
            }
            if (tryStart(j, now)) {
                it.remove();
                pending.removed(j);
                started.add(j);
            }
        }
    }

    /** The queue with the smallest share goes next with its oldest job, while any queue's oldest fits. */
    private void byShare(Pending pending, long now, List<Integer> started) {
        long totalCpu = (long) cluster.nodes() * cluster.cpusPerNode();
        long totalMem = (long) cluster.nodes() * cluster.memoryGbPerNode();
        while (true) {
            List<String> queues = new ArrayList<>(pending.byQueue.keySet());
            queues.removeIf(q -> pending.byQueue.get(q).isEmpty());
            queues.sort(Comparator.<String>comparingDouble(q -> policy == Policy.DRF
                    ? dominantShare(usage.get(q), totalCpu, totalMem) : usage.get(q)[0]).thenComparing(q -> q));
            boolean any = false;
            for (String q : queues) {
                int j = pending.byQueue.get(q).first();
                if (tryStart(j, now)) {
                    pending.inOrder.remove(j);
                    pending.removed(j);
                    started.add(j);
                    any = true;
                    break;
                }
            }
            if (!any) {
                return;
            }
        }
    }

    /** Places every task of job {@code j} now, or none. */
    private boolean tryStart(int j, long now) {
        SimJob job = jobs.get(j);
        if (job.gpus() > freeGpus || job.gpusPerTask() > cluster.gpusPerNode()) {
            return false;
        }
        if (job.gpusPerTask() > 0 && gpuRoom(job.gpusPerTask()) < job.tasks()) {
            return false;
        }
        int[] nodes = switch (policy) {
            case TOPOLOGY_BESTFIT -> topology(job, false);
            case TOPOLOGY_BALANCED -> topology(job, true);
            default -> firstFit(job, 0, cluster.nodes(), job.tasks());
        };
        if (nodes == null) {
            return false;
        }
        for (int node : nodes) {
            take(node, job, -1);
        }
        long[] u = usage.get(job.queue());
        u[0] += job.gpus();
        u[1] += (long) job.tasks() * job.cpusPerTask();
        u[2] += (long) job.tasks() * job.memoryGbPerTask();
        placed[j] = nodes;
        start[j] = now;
        end[j] = now + job.durationSeconds();
        return true;
    }

    private void release(int j) {
        SimJob job = jobs.get(j);
        for (int node : placed[j]) {
            take(node, job, +1);
        }
        long[] u = usage.get(job.queue());
        u[0] -= job.gpus();
        u[1] -= (long) job.tasks() * job.cpusPerTask();
        u[2] -= (long) job.tasks() * job.memoryGbPerTask();
    }

    /** Takes (sign -1) or gives back (+1) one task's resources on {@code node}. */
    private void take(int node, SimJob job, int sign) {
        fragmentedFree -= fragmented(node);
        byFree[freeGpu[node]]--;
        freeGpu[node] += sign * job.gpusPerTask();
        freeCpu[node] += sign * job.cpusPerTask();
        freeMem[node] += sign * job.memoryGbPerTask();
        byFree[freeGpu[node]]++;
        freeGpus += (long) sign * job.gpusPerTask();
        fragmentedFree += fragmented(node);
    }

    /** The free GPUs of a node partly in use: room no whole-node job can take. */
    private int fragmented(int node) {
        int free = freeGpu[node];
        return free > 0 && free < cluster.gpusPerNode() ? free : 0;
    }

    /** How many tasks of {@code gpus} GPUs the free GPUs could hold, CPUs and memory aside. */
    private long gpuRoom(int gpus) {
        long room = 0;
        for (int f = gpus; f < byFree.length; f++) {
            room += (long) byFree[f] * (f / gpus);
        }
        return room;
    }

    private int tasksFit(int node, SimJob job) {
        int fit = Integer.MAX_VALUE;
        if (job.gpusPerTask() > 0) {
            fit = freeGpu[node] / job.gpusPerTask();
        }
        if (job.cpusPerTask() > 0) {
            fit = Math.min(fit, freeCpu[node] / job.cpusPerTask());
        }
        if (job.memoryGbPerTask() > 0) {
            fit = Math.min(fit, freeMem[node] / job.memoryGbPerTask());
        }
        return fit;
    }

    /** The nodes of {@code tasks} tasks, first fit over nodes [from, to), without taking them; null when they do not fit. */
    private int[] firstFit(SimJob job, int from, int to, int tasks) {
        int[] out = new int[tasks];
        int n = 0;
        for (int node = from; node < to && n < tasks; node++) {
            int fit = Math.min(tasksFit(node, job), tasks - n);
            for (int k = 0; k < fit; k++) {
                out[n++] = node;
            }
        }
        return n == tasks ? out : null;
    }

    /** Within the smallest domain that holds the job: a rack, else a block (balanced: the fewest racks of it), else anywhere. */
    private int[] topology(SimJob job, boolean balanced) {
        int perRack = cluster.nodesPerRack();
        int racks = (cluster.nodes() + perRack - 1) / perRack;
        int[] rackRoom = new int[racks];
        for (int node = 0; node < cluster.nodes(); node++) {
            rackRoom[node / perRack] += tasksFit(node, job);
        }
        int best = -1;
        for (int r = 0; r < racks; r++) {
            if (rackRoom[r] >= job.tasks() && (best < 0 || rackRoom[r] < rackRoom[best])) {
                best = r;
            }
        }
        if (best >= 0) {
            return firstFit(job, best * perRack, Math.min(cluster.nodes(), (best + 1) * perRack), job.tasks());
        }
        int perBlock = cluster.racksPerBlock();
        int blocks = (racks + perBlock - 1) / perBlock;
        int bestBlock = -1;
        int bestRoom = 0;
        for (int b = 0; b < blocks; b++) {
            int room = 0;
            for (int r = b * perBlock; r < Math.min(racks, (b + 1) * perBlock); r++) {
                room += rackRoom[r];
            }
            if (room >= job.tasks() && (bestBlock < 0 || room < bestRoom)) {
                bestBlock = b;
                bestRoom = room;
            }
        }
        if (bestBlock < 0) {
            return firstFit(job, 0, cluster.nodes(), job.tasks());
        }
        if (!balanced) {
            int from = bestBlock * perBlock * perRack;
            return firstFit(job, from, Math.min(cluster.nodes(), from + perBlock * perRack), job.tasks());
        }
        // Balanced: the block's racks with the most room first, the fewest that hold the job, evenly.
        List<Integer> order = new ArrayList<>();
        for (int r = bestBlock * perBlock; r < Math.min(racks, (bestBlock + 1) * perBlock); r++) {
            order.add(r);
        }
        order.sort(Comparator.<Integer>comparingInt(r -> -rackRoom[r]).thenComparingInt(r -> r));
        int[] room = order.stream().mapToInt(r -> rackRoom[r]).toArray();
        int[] split = Placement.split(job.tasks(), room, true);
        int[] out = new int[job.tasks()];
        int n = 0;
        for (int i = 0; i < split.length; i++) {
            if (split[i] == 0) {
                continue;
            }
            int r = order.get(i);
            int[] inRack = firstFit(job, r * perRack, Math.min(cluster.nodes(), (r + 1) * perRack), split[i]);
            if (inRack == null) {
                return null;
            }
            System.arraycopy(inRack, 0, out, n, inRack.length);
            n += inRack.length;
        }
        return out;
    }

    /** The pending jobs, in the orders the policies take them. */
    private final class Pending {
        final TreeSet<Integer> inOrder = new TreeSet<>();
        final TreeSet<Integer> byDuration = new TreeSet<>(Comparator.<Integer>comparingLong(
                j -> jobs.get(j).durationSeconds()).thenComparingInt(j -> j));
        final Map<String, TreeSet<Integer>> byQueue = new TreeMap<>();

        void add(int j) {
            inOrder.add(j);
            if (policy == Policy.SJF) {
                byDuration.add(j);
            }
            byQueue.computeIfAbsent(jobs.get(j).queue(), q -> new TreeSet<>()).add(j);
        }

        void removed(int j) {
            inOrder.remove(j);
            byDuration.remove(j);
            byQueue.get(jobs.get(j).queue()).remove(j);
        }
    }
}
