package dev.pitwall.planner.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pitwall.core.testing.SharedSamples;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Traces written in Kineto's Chrome trace format with known answers. */
class ProfileAnalysisTest {

    @TempDir
    Path dir;

    /** Builds a trace: complete events in microseconds, as the PyTorch profiler writes them. */
    static final class Trace {
        private final List<String> events = new ArrayList<>();
        private final Integer rank;

        Trace(Integer rank) {
            this.rank = rank;
        }

        Trace event(String cat, String name, double ts, double dur) {
            int pid = cat.startsWith("gpu_") || cat.equals("kernel") ? 0 : 4242;
            events.add(String.format(Locale.ROOT, "{\"ph\": \"X\", \"cat\": \"%s\", \"name\": \"%s\", \"pid\": %d, "
                    + "\"tid\": 7, \"ts\": %.3f, \"dur\": %.3f, \"args\": {\"External id\": 1, \"grid\": [1, 1, 1]}}",
                    cat, name, pid, ts, dur));
            return this;
        }

        String json() {
            // distributedInfo after traceEvents, as some writers put it: the reader must not depend on order.
            return "{\"schemaVersion\": 1, \"deviceProperties\": [{\"id\": 0, \"name\": \"NVIDIA H100\"}],\n"
                    + "\"traceEvents\": [\n" + String.join(",\n", events) + "\n]"
                    + (rank == null ? "" : ", \"distributedInfo\": {\"backend\": \"nccl\", \"rank\": " + rank + "}")
                    + ", \"displayTimeUnit\": \"ms\"}";
        }

        Path write(Path file, boolean gzip) throws IOException {
            byte[] bytes = json().getBytes(StandardCharsets.UTF_8);
            if (gzip) {
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
                    out.write(bytes);
                }
            } else {
                Files.write(file, bytes);
            }
            return file;
        }
    }

    /**
     * 0-400 us a GEMM, 300-600 an NCCL all-reduce (100 us of it under the GEMM), 600-650 a copy, then
     * the GPU idles to 1000: 650-800 the data loader runs, 800-900 the host synchronises, 900-1000
     * nothing; 1000-1000+tail an element-wise kernel.
     */
    static Trace rank(Integer rank, double tail) {
        return new Trace(rank)
                .event("kernel", "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x256x64", 0, 400)
                .event("kernel", "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)", 300, 300)
                .event("gpu_memcpy", "Memcpy HtoD (Pageable -> Device)", 600, 50)
                .event("cpu_op", "enumerate(DataLoader)#_MultiProcessingDataLoaderIter.__next__", 650, 150)
                .event("cuda_runtime", "cudaStreamSynchronize", 800, 100)
                .event("kernel", "void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<float> >(int)", 1000, tail)
                .event("user_annotation", "ProfilerStep#7", 0, 1000 + tail);
    }

    @Test
    void splitsTheTimelineCountingEachInstantOnce() throws IOException {
        ProfileAnalysis a = ProfileAnalysis.of(rank(0, 100).write(dir.resolve("trace.json"), false));
        RankProfile r = a.ranks().getFirst();
        assertThat(r.windowMs()).isCloseTo(1.1, within(1e-9));
        assertThat(r.breakdown().computationPct()).isCloseTo(100 * 500 / 1100.0, within(1e-9));
        assertThat(r.breakdown().communicationPct()).isCloseTo(100 * 200 / 1100.0, within(1e-9));
        assertThat(r.breakdown().memcpyPct()).isCloseTo(100 * 50 / 1100.0, within(1e-9));
        assertThat(r.breakdown().idlePct()).isCloseTo(100 * 350 / 1100.0, within(1e-9));
        assertThat(r.idle().dataLoadingPct()).isCloseTo(100 * 150 / 1100.0, within(1e-9));
        assertThat(r.idle().synchronizationPct()).isCloseTo(100 * 100 / 1100.0, within(1e-9));
        assertThat(r.idle().hostWaitPct()).isCloseTo(100 * 100 / 1100.0, within(1e-9));
        assertThat(r.overlapPct()).isCloseTo(100 / 3.0, within(1e-9));
        assertThat(r.matmulSharePct()).isCloseTo(80, within(1e-9));
        assertThat(r.steps()).isEqualTo(1);
        assertThat(r.meanStepMs()).isCloseTo(1.1, within(1e-9));
        assertThat(r.topKernels()).extracting(RankProfile.Kernel::name).containsExactly(
                "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x256x64", "ncclDevKernel_AllReduce_Sum_bf16_RING_LL",
                "at::native::vectorized_elementwise_kernel");
        assertThat(r.topKernels()).extracting(RankProfile.Kernel::kind).containsExactly("matmul", "communication", "other");
        // Computation (matmul 400 us of 1100) is the largest share here.
        assertThat(a.bottleneck()).isEqualTo("compute-bound");
    }

    @Test
    void namesTheBottleneckByTheLargestLoss() throws IOException {
        // Long data-loader gaps between short steps: input-bound.
        Trace input = new Trace(0);
        for (int step = 0; step < 5; step++) {
            double t = step * 1000;
            input.event("kernel", "ampere_bf16_s16816gemm_bf16_128x256", t, 200)
                    .event("cpu_op", "enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__", t + 200, 800);
        }
        input.event("kernel", "ampere_bf16_s16816gemm_bf16_128x256", 5000, 200);
        assertThat(ProfileAnalysis.of(input.write(dir.resolve("input.json"), false)).bottleneck()).isEqualTo("input-bound");

        // Most of the time in an all-reduce that nothing overlaps: communication-bound.
        Trace comm = new Trace(0).event("kernel", "sm90_gemm", 0, 100).event("kernel", "ncclKernel_AllReduce_RING_LL_Sum_float", 100, 900);
        assertThat(ProfileAnalysis.of(comm.write(dir.resolve("comm.json"), false)).bottleneck()).isEqualTo("communication-bound");

        // Thousands of 3 us kernels with 7 us gaps: launch-bound.
        Trace launch = new Trace(0);
        for (int i = 0; i < 2000; i++) {
            launch.event("kernel", "void at::native::elementwise_kernel<128, 2>(int)", i * 10, 3);
        }
        ProfileAnalysis launchBound = ProfileAnalysis.of(launch.write(dir.resolve("launch.json"), false));
        assertThat(launchBound.bottleneck()).isEqualTo("launch-bound");
        assertThat(launchBound.evidence()).contains("100% of kernels run under 10 us");

        // Busy GPU, all in element-wise kernels: memory-bandwidth-bound.
        Trace memory = new Trace(0).event("kernel", "void at::native::vectorized_elementwise_kernel<4>(int)", 0, 700)
                .event("kernel", "void at::native::layer_norm_kernel<float>(int)", 700, 300);
        assertThat(ProfileAnalysis.of(memory.write(dir.resolve("memory.json"), false)).bottleneck())
                .isEqualTo("memory-bandwidth-bound");
    }

    @Test
    void readsAFolderOfGzippedRanksAndNamesTheStraggler() throws IOException {
        Path ranks = Files.createDirectory(dir.resolve("ranks"));
        // File names in the opposite order of the ranks: the rank comes from distributedInfo.
        rank(0, 100).write(ranks.resolve("worker-c.json.gz"), true);
        rank(1, 100).write(ranks.resolve("worker-b.json.gz"), true);
        rank(2, 900).write(ranks.resolve("worker-a.json.gz"), true);
        Files.writeString(ranks.resolve("notes.txt"), "not a trace");
        ProfileAnalysis a = ProfileAnalysis.of(ranks);
        assertThat(a.ranks()).extracting(RankProfile::rank).containsExactly(0, 1, 2);
        assertThat(a.ranks().get(2).file()).endsWith("worker-a.json.gz");
        assertThat(a.stragglers()).singleElement().satisfies(s -> {
            assertThat(s.rank()).isEqualTo(2);
            assertThat(s.computationMs()).isCloseTo(1.3, within(1e-9));
            assertThat(s.medianMs()).isCloseTo(0.5, within(1e-9));
        });
        assertThat(a.breakdown().computationPct()).isCloseTo((2 * 100 * 500 / 1100.0 + 100 * 1300 / 1900.0) / 3, within(1e-9));
    }

    @Test
    void refusesTwoTracesOfTheSameRank() throws IOException {
        Path ranks = Files.createDirectory(dir.resolve("ranks"));
        rank(0, 100).write(ranks.resolve("step10-rank0.json"), false);
        rank(1, 100).write(ranks.resolve("step10-rank1.json"), false);
        rank(0, 900).write(ranks.resolve("step20-rank0.json"), false);
        assertThatThrownBy(() -> ProfileAnalysis.of(ranks)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rank 0 has two traces, step10-rank0.json and step20-rank0.json; give one trace per rank, "
                        + "all of one step window");
    }

    @Test
    void saysWhatIsWrongWithABrokenTrace() throws IOException {
        Path truncated = dir.resolve("truncated.json");
        String json = rank(0, 100).json();
        Files.writeString(truncated, json.substring(0, json.length() / 2));
        assertThatThrownBy(() -> ProfileAnalysis.of(truncated)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(truncated + ": broken JSON at line");
        Path other = Files.writeString(dir.resolve("other.json"), "{\"foo\": [1, 2]}");
        assertThatThrownBy(() -> ProfileAnalysis.of(other)).hasMessageContaining("no traceEvents array");
        Path cpuOnly = new Trace(0).event("cpu_op", "aten::add", 0, 10).write(dir.resolve("cpu.json"), false);
        assertThatThrownBy(() -> ProfileAnalysis.of(cpuOnly)).hasMessageContaining("no GPU kernels or copies");
        assertThatThrownBy(() -> ProfileAnalysis.of(dir.resolve("missing"))).hasMessageContaining("no such file or folder");
    }

    @Test
    void readsTheProfilerTracesInTheSamples() throws IOException {
        Path sample = SharedSamples.get("profiler_traces/hta_nccl_ddp_a100_rank0.json.gz");
        ProfileAnalysis a = ProfileAnalysis.of(sample);
        RankProfile r = a.ranks().getFirst();
        // The sample's index: 2,700 GPU kernels totalling ~162.5 ms, 15 NCCL all-reduce kernels, 3 profiler steps.
        assertThat(r.kernels()).isEqualTo(2700);
        assertThat(r.steps()).isEqualTo(3);
        assertThat(r.topKernels()).anySatisfy(k -> {
            assertThat(k.name()).isEqualTo("ncclKernel_AllReduce_RING_LL_Sum_float");
            assertThat(k.count()).isEqualTo(15);
        });
        RankProfile.Breakdown b = r.breakdown();
        assertThat(b.computationPct() + b.communicationPct() + b.memcpyPct() + b.idlePct()).isCloseTo(100, within(1e-6));
    }
}
