package dev.pitwall.planner.profile;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One rank's trace, reduced: where the GPU's time went (computation, communication, memory
 * copies, idle, each instant counted once), why it sat idle, how much communication hid behind
 * computation, steps and the top kernels.
 */
public record RankProfile(@JsonProperty("rank") int rank, @JsonProperty("file") String file,
                          @JsonProperty("window_ms") double windowMs, @JsonProperty("breakdown") Breakdown breakdown,
                          @JsonProperty("idle") Idle idle, @JsonProperty("overlap_pct") double overlapPct,
                          @JsonProperty("matmul_share_pct") double matmulSharePct,
                          @JsonProperty("kernels") long kernels, @JsonProperty("short_kernels_pct") double shortKernelsPct,
                          @JsonProperty("steps") int steps, @JsonProperty("mean_step_ms") double meanStepMs,
                          @JsonProperty("computation_ms") double computationMs,
                          @JsonProperty("top_kernels") List<Kernel> topKernels) {

    /** Shares of the window, summing to 100. */
    public record Breakdown(@JsonProperty("computation_pct") double computationPct,
                            @JsonProperty("communication_pct") double communicationPct,
                            @JsonProperty("memcpy_pct") double memcpyPct, @JsonProperty("idle_pct") double idlePct) {
    }

    /** The idle share of the window split by what the GPU waited for; sums to {@code idle_pct}. */
    public record Idle(@JsonProperty("host_wait_pct") double hostWaitPct,
                       @JsonProperty("data_loading_pct") double dataLoadingPct,
                       @JsonProperty("synchronization_pct") double synchronizationPct) {
    }

    public record Kernel(@JsonProperty("name") String name, @JsonProperty("kind") String kind,
                         @JsonProperty("count") long count, @JsonProperty("total_ms") double totalMs,
                         @JsonProperty("pct_of_window") double pctOfWindow) {
    }

    /** Kernels of matrix multiplication and convolution (cuBLAS, cuDNN, CUTLASS, FlashAttention); the rest is bandwidth-bound. */
    private static final Pattern MATMUL = Pattern.compile(
            "(?i)gemm|cutlass|xmma|nvjet|conv|fprop|dgrad|wgrad|flash|fmha|scudnn|s1688|s16816|h1688|h16816|_mma_|wmma");
    private static final Pattern COMMUNICATION = Pattern.compile("(?i)nccl|rccl");
    private static final Pattern DATA_LOADING = Pattern.compile("(?i)dataloader|data_loader|_next_data|next_batch");
    private static final Pattern SYNCHRONIZATION = Pattern.compile("(?i)synchronize|^cudaMemcpy$|^cudaMemset$|cudaEventSynchronize");
    /** Kernels shorter than this are usually dominated by their launch overhead. */
    private static final long SHORT_KERNEL_NANOS = 10_000;
    private static final int TOP = 10;

    /** Collects a trace's events; {@link #result} reduces them. */
    static final class Collector implements TraceReader.Listener {
        private final Intervals computation = new Intervals();
        private final Intervals communication = new Intervals();
        private final Intervals memcpy = new Intervals();
        private final Intervals dataLoading = new Intervals();
        private final Intervals synchronization = new Intervals();
        private final Map<String, long[]> kernelTotals = new HashMap<>();
        private long matmulNanos;
        private long kernelNanos;
        private long kernels;
        private long shortKernels;
        private int steps;
        private long stepNanos;

        @Override
        public void event(String category, String name, long start, long duration) {
            long end = start + duration;
            switch (category) {
                case "kernel" -> {
                    kernels++;
                    if (duration < SHORT_KERNEL_NANOS) {
                        shortKernels++;
                    }
                    String kind;
                    if (COMMUNICATION.matcher(name).find()) {
                        communication.add(start, end);
                        kind = "communication";
                    } else {
                        computation.add(start, end);
                        kernelNanos += duration;
                        boolean matmul = MATMUL.matcher(name).find();
                        if (matmul) {
                            matmulNanos += duration;
                        }
                        kind = matmul ? "matmul" : "other";
                    }
                    long[] totals = kernelTotals.computeIfAbsent(kind.charAt(0) + shortName(name), k -> new long[2]);
                    totals[0]++;
                    totals[1] += duration;
                }
                case "gpu_memcpy", "gpu_memset" -> memcpy.add(start, end);
                case "cuda_sync" -> synchronization.add(start, end);
                case "cuda_runtime", "cuda_driver" -> {
                    if (SYNCHRONIZATION.matcher(name).find()) {
                        synchronization.add(start, end);
                    }
                }
                case "cpu_op", "user_annotation", "python_function" -> {
                    if (name.startsWith("ProfilerStep#") && !category.equals("python_function")) {
                        steps++;
                        stepNanos += duration;
                    } else if (DATA_LOADING.matcher(name).find()) {
                        dataLoading.add(start, end);
                    }
                }
                default -> {
                }
            }
        }

        RankProfile result(int rank, String file) {
            Intervals compute = computation.merged();
            Intervals comm = communication.merged();
            Intervals copies = memcpy.merged();
            Intervals all = new Intervals();
            all.addAll(compute);
            all.addAll(comm);
            all.addAll(copies);
            Intervals busy = all.merged();
            if (busy.size() == 0) {
                throw new IllegalArgumentException(file + ": no GPU kernels or copies in the trace; was CUDA activity profiled?");
            }
            long from = busy.start(0);
            long to = busy.end(busy.size() - 1);
            double window = to - from;

            // Each instant counts once, computation first: communication only where no kernel computes, copies
            // only where neither runs. The four shares then sum to the window.
            long computeNanos = compute.length();
            Intervals computeOrComm = new Intervals();
            computeOrComm.addAll(compute);
            computeOrComm.addAll(comm);
            long computeOrCommNanos = computeOrComm.merged().length();
            long busyNanos = busy.length();
            Breakdown breakdown = new Breakdown(pct(computeNanos, window), pct(computeOrCommNanos - computeNanos, window),
                    pct(busyNanos - computeOrCommNanos, window), pct(window - busyNanos, window));

            // Idle gaps by cause: the host synchronising first, then data loading, the rest the GPU waiting for launches.
            Intervals gaps = busy.gaps(from, to);
            Intervals sync = synchronization.merged();
            Intervals data = dataLoading.merged();
            long syncIdle = Intervals.overlap(gaps, sync);
            Intervals syncOrData = new Intervals();
            syncOrData.addAll(sync);
            syncOrData.addAll(data);
            long dataIdle = Intervals.overlap(gaps, syncOrData.merged()) - syncIdle;
            long idle = (long) window - busyNanos;
            Idle idleSplit = new Idle(pct(idle - syncIdle - dataIdle, window), pct(dataIdle, window), pct(syncIdle, window));

            long commNanos = comm.length();
            double overlap = commNanos == 0 ? 0 : pct(Intervals.overlap(comm, compute), commNanos);
            List<Kernel> top = kernelTotals.entrySet().stream()
                    .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[1]).reversed())
                    .limit(TOP)
                    .map(e -> new Kernel(e.getKey().substring(1), switch (e.getKey().charAt(0)) {
                        case 'c' -> "communication";
                        case 'm' -> "matmul";
                        default -> "other";
                    }, e.getValue()[0], e.getValue()[1] / 1e6, pct(e.getValue()[1], window)))
                    .toList();
            return new RankProfile(rank, file, window / 1e6, breakdown, idleSplit, overlap,
                    kernelNanos == 0 ? 0 : pct(matmulNanos, kernelNanos), kernels,
                    kernels == 0 ? 0 : pct(shortKernels, kernels), steps, steps == 0 ? 0 : stepNanos / 1e6 / steps,
                    computeNanos / 1e6, top);
        }
    }

    private static double pct(double part, double whole) {
        return whole > 0 ? 100 * part / whole : 0;
    }

    /** "void at::native::vectorized_elementwise_kernel<4, ...>(int, ...)" -> "at::native::vectorized_elementwise_kernel": one row per kernel family. */
    static String shortName(String kernel) {
        String s = (kernel.startsWith("void ") ? kernel.substring(5) : kernel).replace("(anonymous namespace)::", "");
        int cut = s.length();
        for (char c : new char[] {'<', '('}) {
            int i = s.indexOf(c);
            if (i > 0) {
                cut = Math.min(cut, i);
            }
        }
        s = s.substring(0, cut).strip();
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
