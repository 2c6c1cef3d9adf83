package dev.pitwall.planner.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pitwall.core.catalog.GpuCatalog;
import dev.pitwall.core.catalog.GpuSpec;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The estimator's figures against published parameter counts and the formulas it cites. */
class EstimatorTest {

    private static final double GIB = 1024.0 * 1024 * 1024;
    private final ModelCatalog models = ModelCatalog.builtIn();
    private final GpuSpec h100 = GpuCatalog.builtIn().find("NVIDIA H100 80GB HBM3").orElseThrow();

    private static TrainingSetup setup(int tp, int pp, int zero, TrainingSetup.Recompute recompute) {
        return new TrainingSetup(1e12, 8192, 512, 1, "bf16", zero, tp, pp, recompute, true);
    }

    @Test
    void countsParametersAsTheModelCardsDo() {
        assertThat(models.get("llama3-8b").totalParams()).isEqualTo(8_030_261_248L);
        assertThat(models.get("llama2-7b").totalParams()).isEqualTo(6_738_415_616L);
        assertThat(models.get("llama3-70b").totalParams()).isCloseTo(70_553_706_496L, within(1_000_000L));
        ModelSpec mixtral = models.get("mixtral-8x7b");
        assertThat(mixtral.totalParams() / 1e9).isCloseTo(46.7, within(0.1));
        assertThat(mixtral.activeParams() / 1e9).isCloseTo(12.9, within(0.1));
        assertThat(models.get("gpt3-175b").totalParams() / 1e9).isCloseTo(175, within(2.0));
    }

    @Test
    void countsFlopsAsSixNdPlusAttention() {
        ModelSpec llama = models.get("llama3-8b");
        Estimate e = Estimator.estimate(llama, setup(1, 1, 1, TrainingSetup.Recompute.SELECTIVE), h100, 64, 0.4,
                Optional.of(2.0));
        double attention = 12.0 * 32 * 32 * 128 * 8192;
        assertThat(e.flopsPerToken()).isEqualTo(6.0 * llama.activeParams() + attention);
        assertThat(e.flopsPerStep()).isEqualTo(e.flopsPerToken() * 512 * 8192);
        assertThat(e.stepSeconds()).isCloseTo(e.flopsPerStep() / (64 * 989.4e12 * 0.4), within(1e-9));
        assertThat(e.gpuHours()).isCloseTo(e.totalHours() * 64, within(1e-6));
        assertThat(e.cost()).hasValueSatisfying(c -> assertThat(c).isCloseTo(e.gpuHours() * 2.0, within(1e-6)));
    }

    @Test
    void breaksMemoryDownAndSaysWhetherItFits() {
        ModelSpec llama = models.get("llama3-70b");
        Estimate e = Estimator.estimate(llama, setup(8, 1, 1, TrainingSetup.Recompute.SELECTIVE), h100, 64, 0.4,
                Optional.empty());
        double perGpu = llama.totalParams() / 8.0;
        assertThat(e.dataParallel()).isEqualTo(8);
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
        ModelSpec llama = models.get("llama3-8b");
        Estimate tooBig = Estimator.estimate(llama, setup(1, 1, 0, TrainingSetup.Recompute.NONE), h100, 8, 0.4,
                Optional.empty());
        assertThat(tooBig.fits()).isFalse();
        // Recomputation alone cannot help (the 96 GB of unsharded Adam state stays), ZeRO 1 is not enough.
        assertThat(tooBig.toFit()).hasValue("ZeRO stage 2");
        assertThat(Estimator.estimate(llama, setup(1, 1, 2, TrainingSetup.Recompute.NONE), h100, 8, 0.4, Optional.empty())
                .fits()).isTrue();
        assertThat(Estimator.estimate(llama, setup(1, 1, 1, TrainingSetup.Recompute.NONE), h100, 8, 0.4, Optional.empty())
                .fits()).isFalse();

        Estimate hopeless = Estimator.estimate(models.get("llama3.1-405b"), setup(1, 1, 0, TrainingSetup.Recompute.NONE),
                h100, 8, 0.4, Optional.empty());
        assertThat(hopeless.toFit()).hasValueSatisfying(s -> assertThat(s).startsWith("no single change fits"));
    }

    @Test
    void recomputationTradesMemoryForCompute() {
        ModelSpec llama = models.get("llama3-8b");
        double none = Estimator.estimate(llama, setup(1, 1, 1, TrainingSetup.Recompute.NONE), h100, 8, 0.4, Optional.empty())
                .memory().activations();
        double selective = Estimator.estimate(llama, setup(1, 1, 1, TrainingSetup.Recompute.SELECTIVE), h100, 8, 0.4,
                Optional.empty()).memory().activations();
        double full = Estimator.estimate(llama, setup(1, 1, 1, TrainingSetup.Recompute.FULL), h100, 8, 0.4, Optional.empty())
                .memory().activations();
        assertThat(none).as("with FlashAttention, no s x s term: same as selective").isEqualTo(selective);
        assertThat(full).isEqualTo(selective * 2 / 34);
        TrainingSetup noFlash = new TrainingSetup(1e12, 8192, 512, 1, "bf16", 1, 1, 1, TrainingSetup.Recompute.NONE, false);
        assertThat(Estimator.estimate(llama, noFlash, h100, 8, 0.4, Optional.empty()).memory().activations())
                .isGreaterThan(none * 10);
    }
}
