package dev.pitwall.planner.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pitwall.core.catalog.GpuCatalog;
import dev.pitwall.core.catalog.GpuSpec;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The estimator's figures against published parameter counts, published training runs and the formulas it cites. */
class EstimatorTest {

    private static final double GIB = 1024.0 * 1024 * 1024;
    private final ModelCatalog models = ModelCatalog.builtIn();
    private final GpuSpec h100 = GpuCatalog.builtIn().find("h100-sxm").orElseThrow();
    private final GpuSpec a100 = GpuCatalog.builtIn().find("a100-80gb").orElseThrow();

    private static TrainingSetup setup(int tp, int pp, int zero, TrainingSetup.Recompute recompute) {
        return new TrainingSetup(1e12, 8192, 512, 1, "bf16", "adam", zero, tp, pp, 1, 1, recompute,
                TrainingSetup.Offload.NONE, true);
    }

    private Estimate estimate(String model, TrainingSetup setup, GpuSpec gpu, int gpus, double mfu) {
        return Estimator.estimate(models.get(model), setup, Cluster.of(gpu, gpus), OptionalDouble.of(mfu), Optional.empty());
    }

    @Test
    void countsParametersAsTheModelCardsDo() {
        assertThat(models.get("llama-3-8b").totalParams()).isEqualTo(8_030_261_248L);
        assertThat(models.get("llama-2-7b").totalParams()).isEqualTo(6_738_415_616L);
        assertThat(models.get("llama-3-70b").totalParams()).isCloseTo(70_553_706_496L, within(1_000_000L));
        ModelSpec mixtral = models.get("mixtral-8x7b");
        assertThat(mixtral.totalParams() / 1e9).isCloseTo(46.7, within(0.1));
        assertThat(mixtral.activeParams() / 1e9).isCloseTo(12.9, within(0.1));
        assertThat(models.get("gpt3-175b").totalParams() / 1e9).isCloseTo(175, within(2.0));
        // DeepSeekMoE 16B: "16.4B total parameters, 2.8B activated" (Dai et al. 2024, section 5).
        ModelSpec deepseek = models.get("deepseek-moe-16b");
        assertThat(deepseek.totalParams() / 1e9).isCloseTo(16.4, within(0.1));
        assertThat(deepseek.activeParams() / 1e9).isCloseTo(2.8, within(0.1));
    }

    @Test
    void countsFlopsAsSixNdPlusAttention() {
        ModelSpec llama = models.get("llama-3-8b");
        Estimate e = Estimator.estimate(llama, setup(1, 1, 1, TrainingSetup.Recompute.SELECTIVE), Cluster.of(h100, 64),
                OptionalDouble.of(0.4), Optional.of(new Money(2.0, "EUR")));
        double attention = 12.0 * 32 * 32 * 128 * 8192;
        assertThat(e.flopsPerToken()).isEqualTo(6.0 * llama.activeParams() + attention);
        assertThat(e.flopsPerStep()).isEqualTo(e.flopsPerToken() * 512 * 8192);
        assertThat(e.stepSeconds()).isCloseTo(e.flopsPerStep() / (64 * 989.4e12 * 0.4), within(1e-9));
        assertThat(e.gpuHours()).isCloseTo(e.totalHours() * 64, within(1e-6));
        assertThat(e.cost()).hasValueSatisfying(c -> {
            assertThat(c.amount()).isCloseTo(e.gpuHours() * 2.0, within(1e-6));
            assertThat(c.currency()).isEqualTo("EUR");
        });
        assertThat(new Money(1_377_025.4, "usd")).hasToString("1,377,025 USD");
        assertThat(new Money(2.5, "CNY")).hasToString("2.50 CNY");
    }

    @Test
    void agreesWithMegatronsFlopsFormula() {
        // Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU Clusters", section 5.1:
        // 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) FLOPs per iteration with full recomputation, i.e. 72·B·s·l·h²(...)
        // without it. Ours counts the same matrix multiplications (GPT-3 175B, s = 2048) another way.
        ModelSpec gpt3 = models.get("gpt3-175b");
        double s = 2048;
        double l = gpt3.layers();
        double h = gpt3.hidden();
        double megatronPerToken = 72 * l * h * h * (1 + s / (6 * h) + gpt3.vocab() / (16 * l * h));
        Estimate e = estimate("gpt3-175b", new TrainingSetup(300e9, 2048, 1536, 1, "bf16", "adam", 1, 8, 8, 1, 1,
                TrainingSetup.Recompute.FULL, TrainingSetup.Offload.NONE, true), a100, 1024, 0.5);
        assertThat(e.flopsPerToken() / megatronPerToken).isCloseTo(1.0, within(0.03));
    }

    @Test
    void reproducesLlama3405bGpuHoursFromItsPublishedMfu() {
        // Llama 3.1 405B: 15.6T tokens, sequence 8192, 30.84M H100 GPU-hours (model card); 38-43% BF16 MFU
        // across its training configurations (Dubey et al. 2024, "The Llama 3 Herd of Models", Table 4).
        // The card's hours include restarts and evaluation, so the estimate may be up to 15% below them.
        Estimate e = Estimator.estimate(models.get("llama-3.1-405b"), new TrainingSetup(15.6e12, 8192, 2048, 1, "bf16",
                "adam", 1, 8, 16, 1, 1, TrainingSetup.Recompute.SELECTIVE, TrainingSetup.Offload.NONE, true),
                Cluster.of(h100, 16_384), OptionalDouble.of(0.41), Optional.empty());
        assertThat(e.gpuHours() / 30.84e6).isBetween(0.85, 1.0);
    }

    @Test
    void rooflineLandsNearTheMfuLargeRunsReport() {
        // Dubey et al. 2024, Table 4: 8,192 H100s, TP 8, CP 1, PP 16, DP 64, 16M-token batches -> 43% MFU.
        // The roofline, with kernels at 75% of peak, lands within 15% of it.
        Estimate e = Estimator.estimate(models.get("llama-3.1-405b"), new TrainingSetup(15.6e12, 8192, 2048, 1, "bf16",
                "adam", 1, 8, 16, 1, 1, TrainingSetup.Recompute.SELECTIVE, TrainingSetup.Offload.NONE, true),
                Cluster.of(h100, 8192), OptionalDouble.empty(), Optional.empty());
        assertThat(e.time().method()).isEqualTo("roofline");
        assertThat(e.time().kernelEfficiency()).isEqualTo(0.75);
        assertThat(e.mfu() / 0.43).isBetween(0.85, 1.15);

        // Jiang et al. 2024 (MegaScale), Table 2: a 175B GPT-3 on 12,288 A100s at 55.2% MFU; the layout (TP 8,
        // PP 8, DP 192, sequence 2048, batch 6144) is this test's assumption, the paper gives the MFU.
        Estimate megascale = Estimator.estimate(models.get("gpt3-175b"), new TrainingSetup(300e9, 2048, 6144, 1, "bf16",
                "adam", 1, 8, 8, 1, 1, TrainingSetup.Recompute.SELECTIVE, TrainingSetup.Offload.NONE, true),
                Cluster.of(a100, 12_288), OptionalDouble.empty(), Optional.empty());
        assertThat(megascale.mfu() / 0.552).isBetween(0.85, 1.15);
        assertThat(e.stepSeconds()).isCloseTo(e.time().computeSeconds() + e.time().bubbleSeconds()
                + e.time().exposedCommunicationSeconds(), within(1e-9));
        // 2048 sequences over DP 64 = 32 micro-batches a pipeline: bubble (16-1)/32 of the compute.
        assertThat(e.time().bubbleSeconds() / e.time().computeSeconds()).isCloseTo(15.0 / 32, within(1e-9));
    }

    @Test
    void estimatesGpt3OnTheV100sItWasTrainedOn() {
        // Brown et al. 2020 trained GPT-3 on V100s, in fp16: Volta has no bf16.
        GpuSpec v100 = GpuCatalog.builtIn().find("Tesla V100-SXM2-32GB").orElseThrow();
        TrainingSetup fp16 = new TrainingSetup(300e9, 2048, 1536, 1, "fp16", "adam", 1, 8, 8, 1, 1,
                TrainingSetup.Recompute.SELECTIVE, TrainingSetup.Offload.NONE, true);
        Estimate e = Estimator.estimate(models.get("gpt3-175b"), fp16, Cluster.of(v100, 1024), OptionalDouble.empty(),
                Optional.empty());
        assertThat(e.fits()).isTrue();
        assertThat(e.totalHours()).isPositive();
        assertThat(e.communication()).filteredOn(c -> c.dimension().equals("tensor"))
                .allSatisfy(c -> assertThat(c.linkGBps()).as("NVLink 2, half of 300 GB/s").isEqualTo(150));
    }

    @Test
    void modelStatesFollowTheZeroPapersFigure() {
        // Rajbhandari et al. 2020, Figure 1: a 7.5B model over 64 data-parallel GPUs with mixed-precision Adam
        // (K = 12) needs 120 GB per GPU without ZeRO, 31.4 GB with P_os, 16.6 GB with P_os+g, 1.9 GB with P_os+g+p.
        double[] expected = {120, 31.4, 16.6, 1.9};
        for (int stage = 0; stage <= 3; stage++) {
            double[] states = Estimator.modelStates(7.5e9, "adam", stage, 64);
            assertThat((states[0] + states[1] + states[2]) / 1e9).as("stage %d", stage)
                    .isCloseTo(expected[stage], within(0.05));
        }
    }

    @Test
    void breaksMemoryDownAndSaysWhetherItFits() {
        ModelSpec llama = models.get("llama-3-70b");
        Estimate e = estimate("llama-3-70b", setup(8, 1, 1, TrainingSetup.Recompute.SELECTIVE), h100, 64, 0.4);
        double perGpu = llama.totalParams() / 8.0;
        assertThat(e.parallelism().dp()).isEqualTo(8);
        assertThat(e.memory().weights()).isCloseTo(2 * perGpu, within(1.0));
        assertThat(e.memory().gradients()).isCloseTo(2 * perGpu, within(1.0));
        assertThat(e.memory().optimizer()).isCloseTo(12 * perGpu / 8, within(1.0));
        assertThat(e.memory().activations()).isCloseTo(34.0 * 8192 * 8192 / 8 * 80, within(1.0));
        assertThat(e.memory().total() / GIB).isBetween(60.0, 76.0);
        assertThat(e.fits()).isTrue();
        assertThat(e.toFit()).isEmpty();
    }

    @Test
    void proposesTheSmallestChangeThatFits() {
        Estimate tooBig = estimate("llama-3-8b", setup(1, 1, 0, TrainingSetup.Recompute.NONE), h100, 8, 0.4);
        assertThat(tooBig.fits()).isFalse();
        // Recomputation alone cannot help (the 96 GB of unsharded Adam state stays), ZeRO 1 is not enough.
        assertThat(tooBig.toFit()).hasValue("ZeRO stage 2");
        assertThat(estimate("llama-3-8b", setup(1, 1, 2, TrainingSetup.Recompute.NONE), h100, 8, 0.4).fits()).isTrue();
        assertThat(estimate("llama-3-8b", setup(1, 1, 1, TrainingSetup.Recompute.NONE), h100, 8, 0.4).fits()).isFalse();

        // 405B on 8 GPUs: 6.5 TB of weights and Adam state cannot fit whatever the layout.
        Estimate hopeless = estimate("llama-3.1-405b", setup(1, 1, 0, TrainingSetup.Recompute.NONE), h100, 8, 0.4);
        assertThat(hopeless.toFit()).hasValue("no combination of parallelism, ZeRO and recomputation fits: use more or "
                + "larger GPUs");

        // On 256 GPUs no one change is enough, but two together are, and they are named.
        Estimate combined = estimate("llama-3.1-405b", setup(1, 1, 1, TrainingSetup.Recompute.NONE), h100, 256, 0.4);
        assertThat(combined.toFit()).hasValue("no single change fits; together these do: ZeRO stage 3 + full activation "
                + "recomputation");
        assertThat(estimate("llama-3.1-405b", setup(1, 1, 3, TrainingSetup.Recompute.FULL), h100, 256, 0.4).fits()).isTrue();
    }

    @Test
    void offloadingMovesOptimizerStateToTheHost() {
        TrainingSetup offloaded = new TrainingSetup(1e12, 8192, 512, 1, "bf16", "adam", 0, 1, 1, 1, 1,
                TrainingSetup.Recompute.SELECTIVE, TrainingSetup.Offload.OPTIMIZER, true);
        Estimate e = estimate("llama-3-8b", offloaded, h100, 8, 0.4);
        assertThat(e.memory().optimizer()).isZero();
        assertThat(e.memory().gradients()).isZero();
        assertThat(e.communication()).anySatisfy(c -> {
            assertThat(c.dimension()).isEqualTo("offload");
            assertThat(c.link()).isEqualTo("pcie");
        });
        assertThatThrownBy(() -> new TrainingSetup(1e12, 8192, 512, 1, "bf16", "adam", 1, 1, 1, 1, 1,
                TrainingSetup.Recompute.NONE, TrainingSetup.Offload.ALL, true))
                .hasMessageContaining("needs ZeRO stage 3");
    }

    @Test
    void recomputationTradesMemoryForCompute() {
        double none = estimate("llama-3-8b", setup(1, 1, 1, TrainingSetup.Recompute.NONE), h100, 8, 0.4).memory().activations();
        double selective = estimate("llama-3-8b", setup(1, 1, 1, TrainingSetup.Recompute.SELECTIVE), h100, 8, 0.4)
                .memory().activations();
        double full = estimate("llama-3-8b", setup(1, 1, 1, TrainingSetup.Recompute.FULL), h100, 8, 0.4).memory().activations();
        assertThat(none).as("with FlashAttention, no s x s term: same as selective").isEqualTo(selective);
        assertThat(full).isEqualTo(selective * 2 / 34);
        TrainingSetup noFlash = new TrainingSetup(1e12, 8192, 512, 1, "bf16", "adam", 1, 1, 1, 1, 1,
                TrainingSetup.Recompute.NONE, TrainingSetup.Offload.NONE, false);
        assertThat(estimate("llama-3-8b", noFlash, h100, 8, 0.4).memory().activations()).isGreaterThan(none * 10);
    }

    @Test
    void communicationFollowsTheRingFormulasAndTheLinks() {
        // Llama 3 8B, TP 8 inside one node, PP 2 and DP 4 across nodes, 64 GPUs.
        ModelSpec llama = models.get("llama-3-8b");
        Estimate e = Estimator.estimate(llama, setup(8, 2, 1, TrainingSetup.Recompute.SELECTIVE), Cluster.of(h100, 64),
                OptionalDouble.empty(), Optional.empty());
        int microBatches = 512 / 4;
        double activation = 2.0 * 8192 * 4096;
        Estimate.Communication tp = e.communication().stream().filter(c -> c.dimension().equals("tensor")).findFirst().orElseThrow();
        assertThat(tp.bytesPerStep()).isCloseTo(4 * 2.0 * 7 / 8 * activation * 16 * microBatches, within(1.0));
        assertThat(tp.link()).isEqualTo("intra-node");
        assertThat(tp.seconds()).isCloseTo(tp.bytesPerStep() / 450e9, within(1e-12));
        Estimate.Communication dp = e.communication().stream().filter(c -> c.dimension().equals("data")).findFirst().orElseThrow();
        assertThat(dp.bytesPerStep()).isCloseTo(2.0 * 3 / 4 * 2 * llama.totalParams() / 16.0, within(1.0));
        assertThat(dp.link()).isEqualTo("inter-node");
        assertThat(dp.overlapped()).isTrue();
        assertThat(e.communication()).extracting(Estimate.Communication::dimension).containsExactly("tensor", "pipeline", "data");

        // Mixtral with EP 8: all-to-all traffic appears, expert states spread eight ways.
        TrainingSetup moe = new TrainingSetup(1e12, 4096, 512, 1, "bf16", "adam", 1, 1, 1, 1, 8,
                TrainingSetup.Recompute.SELECTIVE, TrainingSetup.Offload.NONE, true);
        Estimate mixtral = Estimator.estimate(models.get("mixtral-8x7b"), moe, Cluster.of(h100, 64), OptionalDouble.empty(),
                Optional.empty());
        assertThat(mixtral.communication()).extracting(Estimate.Communication::dimension).contains("expert");
        assertThat(mixtral.memory().weights()).isLessThan(2.0 * models.get("mixtral-8x7b").totalParams() / 4);
    }

    @Test
    void refusesLayoutsThatDoNotDivide() {
        assertThatThrownBy(() -> estimate("llama-3-8b", setup(3, 1, 1, TrainingSetup.Recompute.NONE), h100, 9, 0.4))
                .hasMessageContaining("attention heads do not split into TP 3");
        assertThatThrownBy(() -> estimate("llama-3-8b", setup(8, 1, 1, TrainingSetup.Recompute.NONE), h100, 12, 0.4))
                .hasMessageContaining("12 GPUs do not divide");
        assertThatThrownBy(() -> estimate("llama-3-8b", setup(1, 1, 1, TrainingSetup.Recompute.NONE), h100, 24, 0.4))
                .hasMessageContaining("global batch 512 does not split into DP 24");
    }

    @Test
    void searchRanksFittingLayoutsByThroughput() {
        ModelSpec llama = models.get("llama-3-70b");
        ParallelismSearch.Result result = ParallelismSearch.search(llama, setup(1, 1, 0, TrainingSetup.Recompute.NONE),
                Cluster.of(h100, 64), 5);
        assertThat(result.considered()).isGreaterThan(result.fitting()).isGreaterThan(0);
        assertThat(result.best()).hasSize(5);
        assertThat(result.best()).allSatisfy(c -> assertThat(c.estimate().fits()).isTrue());
        assertThat(result.best()).isSortedAccordingTo(java.util.Comparator.comparingDouble(c -> c.estimate().stepSeconds()));
        // A 70B model cannot train without sharding its state on 80 GB GPUs: every choice splits it somehow.
        assertThat(result.best()).allSatisfy(c -> assertThat(c.setup().tp() * c.setup().pp() > 1 || c.setup().zero() >= 2).isTrue());
        assertThat(result.best().get(0).why()).contains("GiB").contains("pipeline bubble");
        assertThat(result.best().get(1).why()).contains("slower than #1");
    }
}
