package dev.pitwall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Profile-analysis benchmark: writes a Kineto-format trace of the asked size (CPU ops, runtime
 * calls, flow events and GPU kernels with their args, as the PyTorch profiler writes them), runs
 * {@code pitwall plan profile} on it in a JVM with a small heap, and prints throughput, peak RSS and
 * the breakdown against the one the trace was built with.
 *
 * <p>Each 100 us unit of the trace: a 60 us GEMM, an all-reduce from 50 to 80 us (10 us under the
 * GEMM), a 5 us copy at 85 us, idle otherwise: 60% computation, 20% communication, 5% copies, 15% idle.
 */
public final class ProfileBench {

    private ProfileBench() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        long megabytes = Long.parseLong(args[1]);
        String heap = args[2];
        Path trace = Path.of(args[3]);
        long units = write(trace, megabytes * 1024 * 1024);
        long size = Files.size(trace);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path output = Files.createTempFile("profile-bench", ".json");
        long started = System.nanoTime();
        Process process = new ProcessBuilder(java.toString(), "-Xmx" + heap, "-jar", jar.toString(), "plan", "profile",
                "--format", "json", trace.toString()).redirectOutput(output.toFile()).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long peakKib = PeakRss.await(process);
        double seconds = (System.nanoTime() - started) / 1e9;
        if (process.exitValue() != 0) {
            System.err.println("pitwall plan profile exited " + process.exitValue());
            System.exit(1);
        }
        JsonNode result = new ObjectMapper().readTree(output.toFile());
        Files.delete(output);
        JsonNode b = result.path("breakdown");
        System.out.printf(Locale.ROOT, "%-22s %s%n", "trace", trace);
        System.out.printf(Locale.ROOT, "%-22s %.0f MiB, %d GPU kernels and copies, %d events%n", "size",
                size / 1048576.0, units * 3, units * 9);
        System.out.printf(Locale.ROOT, "%-22s %.1f s (%.0f MiB/s), JVM heap limit %s%n", "analysis", seconds,
                size / 1048576.0 / seconds, heap);
        System.out.printf(Locale.ROOT, "%-22s %.0f MiB%n", "peak RSS", peakKib / 1024.0);
        System.out.printf(Locale.ROOT, "%-22s computation %.2f%%, communication %.2f%%, memcpy %.2f%%, idle %.2f%%"
                        + " (built as 60 / 20 / 5 / 15)%n", "breakdown", b.path("computation_pct").asDouble(),
                b.path("communication_pct").asDouble(), b.path("memcpy_pct").asDouble(), b.path("idle_pct").asDouble());
    }

    /** Writes 100 us units until the file reaches {@code bytes}; answers how many. */
    static long write(Path trace, long bytes) throws IOException {
        Files.createDirectories(trace.toAbsolutePath().getParent());
        long units = 0;
        long written = 0;
        try (BufferedWriter out = Files.newBufferedWriter(trace, StandardCharsets.UTF_8)) {
            String head = "{\n  \"schemaVersion\": 1,\n  \"distributedInfo\": {\"backend\": \"nccl\", \"rank\": 0, "
                    + "\"world_size\": 8},\n  \"traceEvents\": [\n";
            out.write(head);
            written += head.length();
            long base = 1_700_000_000_000L;
            boolean first = true;
            while (written < bytes) {
                double t = base + units * 100.0;
                long corr = units * 4;
                List<String> events = List.of(
                        cpu("cpu_op", "aten::mm", t, 6.2, corr),
                        cpu("cuda_runtime", "cudaLaunchKernel", t + 1, 4.1, corr),
                        flow("s", corr, t + 1), flow("f", corr, t),
                        gpu("kernel", "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x256x64_warpgroupsize1x1x1_execute_segment_k_off_kernel__5x_cublas",
                                t, 60, corr, 40),
                        cpu("cpu_op", "c10d::allreduce_", t + 10, 12.5, corr + 1),
                        gpu("kernel", "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)",
                                t + 50, 30, corr + 1, 54),
                        cpu("cuda_runtime", "cudaMemcpyAsync", t + 20, 3.3, corr + 2),
                        gpu("gpu_memcpy", "Memcpy DtoD (Device -> Device)", t + 85, 5, corr + 2, 7));
                for (String event : events) {
                    String line = (first ? "    " : ",\n    ") + event;
                    first = false;
                    out.write(line);
                    written += line.length();
                }
                units++;
            }
            String tail = "\n  ],\n  \"traceName\": \"bench.pt.trace.json\",\n  \"displayTimeUnit\": \"ms\"\n}\n";
            out.write(tail);
        }
        return units;
    }

    private static String cpu(String cat, String name, double ts, double dur, long corr) {
        return String.format(Locale.ROOT, "{\"ph\": \"X\", \"cat\": \"%s\", \"name\": \"%s\", \"pid\": 2910249, "
                + "\"tid\": 2910249, \"ts\": %.3f, \"dur\": %.3f, \"args\": {\"External id\": %d, \"Record function id\": %d, "
                + "\"Sequence number\": %d, \"Fwd thread id\": 0, \"Ev Idx\": %d}}", cat, name, ts, dur, corr, corr, corr, corr);
    }

    private static String gpu(String cat, String name, double ts, double dur, long corr, int stream) {
        return String.format(Locale.ROOT, "{\"ph\": \"X\", \"cat\": \"%s\", \"name\": \"%s\", \"pid\": 0, \"tid\": %d, "
                + "\"ts\": %.3f, \"dur\": %.3f, \"args\": {\"External id\": %d, \"queued\": 0, \"device\": 0, \"context\": 1, "
                + "\"stream\": %d, \"correlation\": %d, \"registers per thread\": 168, \"shared memory\": 213248, "
                + "\"blocks per SM\": 1, \"warps per SM\": 4, \"grid\": [132, 1, 1], \"block\": [384, 1, 1], "
                + "\"est. achieved occupancy %%\": 6}}", cat, name, stream, ts, dur, corr, stream, corr);
    }

    private static String flow(String ph, long id, double ts) {
        return String.format(Locale.ROOT, "{\"ph\": \"%s\", \"id\": %d, \"pid\": 2910249, \"tid\": 2910249, \"ts\": %.3f, "
                + "\"cat\": \"ac2g\", \"name\": \"ac2g\"%s}", ph, id, ts, ph.equals("f") ? ", \"bp\": \"e\"" : "");
    }
}
