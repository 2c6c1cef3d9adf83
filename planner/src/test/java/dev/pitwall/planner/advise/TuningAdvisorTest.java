package dev.pitwall.planner.advise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pitwall.core.catalog.GpuCatalog;
import dev.pitwall.planner.estimate.Cluster;
import dev.pitwall.planner.estimate.Estimate;
import dev.pitwall.planner.estimate.Estimator;
import dev.pitwall.planner.estimate.ModelCatalog;
import dev.pitwall.planner.estimate.ModelSpec;
import dev.pitwall.planner.estimate.ParallelismSearch;
import dev.pitwall.planner.estimate.TrainingSetup;
import dev.pitwall.planner.profile.ProfileAnalysis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuningAdvisorTest {

    @TempDir
    Path dir;

    private static Optional<TuningAdvisor.Advice> area(List<TuningAdvisor.Advice> advice, String area) {
        return advice.stream().filter(a -> a.area().equals(area)).findFirst();
    }

    @Test
    void adviseOnInputStallsAndHostSyncFromAProfile() throws IOException {
        // 10 steps of 100 us: 40 us of GEMM, 40 us idle in the data loader, 20 us idle in a stream synchronisation.
        StringBuilder events = new StringBuilder();
        for (int step = 0; step < 10; step++) {
            int t = step * 100;
            events.append(String.format("{\"ph\":\"X\",\"cat\":\"kernel\",\"name\":\"sm90_gemm\",\"ts\":%d,\"dur\":40},", t))
                    .append(String.format("{\"ph\":\"X\",\"cat\":\"cpu_op\",\"name\":\"enumerate(DataLoader)#next\",\"ts\":%d,\"dur\":40},", t + 40))
                    .append(String.format("{\"ph\":\"X\",\"cat\":\"cuda_runtime\",\"name\":\"cudaStreamSynchronize\",\"ts\":%d,\"dur\":20},", t + 80));
        }
        events.append("{\"ph\":\"X\",\"cat\":\"kernel\",\"name\":\"sm90_gemm\",\"ts\":1000,\"dur\":40}");
        Path trace = Files.writeString(dir.resolve("trace.json"), "{\"traceEvents\":[" + events + "]}");
        Path config = Files.writeString(dir.resolve("args.json"), "{\"dataloader_num_workers\": 1, \"bf16\": true}");
        List<TuningAdvisor.Advice> advice = TuningAdvisor.advise(Optional.empty(), Optional.empty(),
                Optional.of(ProfileAnalysis.of(trace)), Optional.of(TrainingConfig.read(config)));
        TuningAdvisor.Advice data = area(advice, "data loading").orElseThrow();
        assertThat(data.advice()).contains("num_workers (now 1)");
        assertThat(data.gainPct()).isCloseTo(100 * 400 / 1040.0, within(1e-6));
        assertThat(data.evidence()).endsWith("(profile)");
        assertThat(area(advice, "synchronisation").orElseThrow().gainPct()).isCloseTo(100 * 200 / 1040.0, within(1e-6));
        assertThat(advice.getFirst().area()).as("largest gain first").isEqualTo("data loading");
        assertThat(area(advice, "mixed precision")).as("already bf16").isEmpty();
    }

    @Test
    void adviseFromATrainingConfigAlone() throws IOException {
        Path config = Files.writeString(dir.resolve("job.yaml"), """
                dataloader-workers: 0
                pin-memory: false
                precision: fp32
                torch-compile: false
                checkpoint-interval-steps: 100
                checkpoint-seconds: 120
                step-seconds: 2.0
                """);
        List<TuningAdvisor.Advice> advice = TuningAdvisor.advise(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(TrainingConfig.read(config)));
        assertThat(advice).extracting(TuningAdvisor.Advice::area)
                .containsExactly("checkpointing", "data loading", "mixed precision", "kernel fusion");
        // 120 s blocked out of every 100 x 2 s + 120 s.
        assertThat(advice.getFirst().gainPct()).isCloseTo(100 * 120 / 320.0, within(1e-9));
        Path deepspeed = Files.writeString(dir.resolve("ds.json"), "{\"bf16\": {\"enabled\": true}, \"gradient_accumulation_steps\": 4}");
        assertThat(TrainingConfig.read(deepspeed).precision()).hasValue("bf16");
        assertThat(TrainingConfig.read(deepspeed).gradientAccumulation()).hasValue(4);
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "a: [1, 2\n");
        assertThatThrownBy(() -> TrainingConfig.read(broken)).hasMessageStartingWith(broken + ": neither YAML nor JSON");
    }

    @Test
    void adviseABetterLayoutAndABubbleFromTheEstimate() {
        ModelSpec llama = ModelCatalog.builtIn().get("llama-3-70b");
        Cluster cluster = Cluster.of(GpuCatalog.builtIn().find("h100-sxm").orElseThrow(), 64);
        // PP 8 with DP 1 and 8 sequences a step: 8 micro-batches, a bubble of 7/8 of the compute.
        TrainingSetup setup = new TrainingSetup(1e12, 4096, 8, 1, "bf16", "adam", 1, 8, 8, 1, 1,
                TrainingSetup.Recompute.SELECTIVE, TrainingSetup.Offload.NONE, true);
        Estimate current = Estimator.estimate(llama, setup, cluster, OptionalDouble.empty(), Optional.empty());
        ParallelismSearch.Result search = ParallelismSearch.search(llama, setup, cluster, 1);
        List<TuningAdvisor.Advice> advice = TuningAdvisor.advise(Optional.of(current), Optional.of(search), Optional.empty(),
                Optional.empty());
        TuningAdvisor.Advice layout = area(advice, "parallelism").orElseThrow();
        assertThat(layout.gainPct()).isCloseTo(100 * (1 - search.best().getFirst().estimate().stepSeconds()
                / current.stepSeconds()), within(1e-9));
        assertThat(layout.advice()).startsWith("change the layout to TP ");
        assertThat(area(advice, "pipeline bubble").orElseThrow().evidence()).contains("PP 8 and 8 micro-batches");
    }
}
