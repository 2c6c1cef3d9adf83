package dev.pitwall.planner.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pitwall.core.testing.SharedSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunComparisonTest {

    @TempDir
    Path dir;

    /** A loss curve falling from about 11 towards 2, with seeded step-to-step noise of about 1%. */
    private static LongToDoubleFunction loss(long seed) {
        Random noise = new Random(seed);
        return step -> (2 + 9 * Math.exp(-step / 80.0)) * (1 + 0.01 * noise.nextGaussian());
    }

    private Path csv(String name, LongToDoubleFunction loss, int steps) throws IOException {
        StringBuilder out = new StringBuilder("step,loss,lr\n");
        for (long s = 1; s <= steps; s++) {
            out.append(String.format(Locale.ROOT, "%d,%.6f,3e-4%n", s, loss.applyAsDouble(s)));
        }
        return Files.writeString(dir.resolve(name), out.toString());
    }

    private Path megatron(String name, LongToDoubleFunction loss, int steps) throws IOException {
        StringBuilder out = new StringBuilder("using world size: 16, data-parallel size: 16\n");
        for (long s = 1; s <= steps; s++) {
            out.append(String.format(Locale.ROOT, "node-3:  iteration %8d/%8d | consumed samples: %12d | elapsed time per "
                    + "iteration (ms): 812.4 | learning rate: 3.000E-04 | global batch size:  1024 | lm loss: %.6E | "
                    + "loss scale: 1.0 | grad norm: 1.234 | number of skipped iterations:   0 | number of nan iterations:   0 |%n",
                    s, steps, s * 1024, loss.applyAsDouble(s)));
        }
        return Files.writeString(dir.resolve(name), out.toString());
    }

    @Test
    void noisyButEqualRunsAreEquivalentAcrossFormats() throws IOException {
        RunMetrics original = RunMetrics.read(megatron("original.log", loss(1), 300));
        RunMetrics migrated = RunMetrics.read(csv("migrated.csv", loss(2), 300));
        assertThat(original.format()).isEqualTo("megatron-log");
        assertThat(original.metrics()).containsKeys("lm loss", "grad norm", "learning rate", "elapsed time per iteration (ms)");
        assertThat(migrated.format()).isEqualTo("csv");
        RunComparison c = RunComparison.of("loss", original, migrated, 0.02, 10, 3);
        assertThat(c.equivalent()).isTrue();
        assertThat(c.divergesAt()).isEmpty();
        assertThat(c.alignedSteps()).isEqualTo(300);
        assertThat(c.verdict()).startsWith("equivalent within 2.0% over 300 aligned steps");
        // Without smoothing, 1% noise on each run crosses 2% often enough to look like a divergence: why the
        // default compares trailing means.
        assertThat(RunComparison.of("loss", original, migrated, 0.02, 1, 3).equivalent()).isFalse();
    }

    @Test
    void findsWhereADriftBegins() throws IOException {
        LongToDoubleFunction base = loss(1);
        LongToDoubleFunction drifting = loss(2);
        // From step 150 on, the candidate's loss climbs 1% more every 10 steps (a bad kernel, a wrong LR).
        RunMetrics a = RunMetrics.read(csv("a.csv", base, 300));
        RunMetrics b = RunMetrics.read(csv("b.csv", s -> drifting.applyAsDouble(s) * (s < 150 ? 1 : 1 + (s - 150) / 1000.0), 300));
        RunComparison c = RunComparison.of("loss", a, b, 0.02, 10, 3);
        assertThat(c.equivalent()).isFalse();
        // 2% above the baseline (smoothed) is reached about 20 steps after the drift starts.
        assertThat(c.divergesAt()).isPresent();
        assertThat(c.divergesAt().getAsLong()).isBetween(155L, 195L);
        assertThat(c.verdict()).isEqualTo("diverges from step " + c.divergesAt().getAsLong());
    }

    @Test
    void aNanInOneRunDivergesAtOnce() throws IOException {
        Path a = Files.writeString(dir.resolve("a.jsonl"), """
                {"step": 1, "loss": 10.5}
                {"step": 2, "loss": 10.1}
                {"step": 3, "loss": 9.8}
                """);
        Path b = Files.writeString(dir.resolve("b.jsonl"), """
                {"step": 1, "loss": 10.5}
                {"step": 2, "loss": "nan"}
                not json
                {"loss": 9.0}
                {"step": 3, "loss": 9.8}
                """);
        RunMetrics candidate = RunMetrics.read(b);
        assertThat(candidate.problems()).containsExactly("line 3: not JSON", "line 4: no step (one of [step, iteration, "
                + "global_step, iter, trainer/global_step])");
        RunComparison c = RunComparison.of("loss", RunMetrics.read(a), candidate, 0.02, 1, 3);
        assertThat(c.divergesAt()).hasValue(2L);
    }

    @Test
    void twoAlignedStepsAreNotEnoughToCallRunsEquivalent() throws IOException {
        Path a = Files.writeString(dir.resolve("a.csv"), "step,loss\n100,2.50\n200,2.25\n300,2.10\n");
        Path b = Files.writeString(dir.resolve("b.csv"), "step,loss\n200,2.25\n300,2.10\n400,2.00\n");
        assertThatThrownBy(() -> RunComparison.of("loss", RunMetrics.read(a), RunMetrics.read(b), 0.02, 10, 3))
                .hasMessage("not enough aligned steps to call the runs equivalent: 2 align, at least 13 are needed "
                        + "(baseline steps 100-300, candidate steps 200-400)");
        // A divergence needs no more: a NaN in one run at an aligned step is one.
        Path nan = Files.writeString(dir.resolve("nan.csv"), "step,loss\n200,nan\n300,2.10\n");
        assertThat(RunComparison.of("loss", RunMetrics.read(a), RunMetrics.read(nan), 0.02, 10, 3).verdict())
                .isEqualTo("diverges from step 200");
    }

    @Test
    void readsTensorBoardExportsAndSaysWhatIsMissing() throws IOException {
        Path tb = Files.writeString(dir.resolve("run-train-tag-loss.csv"), """
                Wall time,Step,Value
                1700000000.1,100,2.5
                1700000010.2,200,2.25
                1700000020.3,300,oops
                """);
        RunMetrics run = RunMetrics.read(tb);
        assertThat(run.format()).isEqualTo("tensorboard-csv");
        assertThat(run.metric("loss")).containsEntry(100L, 2.5).containsEntry(200L, 2.25).hasSize(2);
        assertThat(run.problems()).containsExactly("line 4: Value \"oops\" is not a number");
        assertThatThrownBy(() -> run.metric("grad_norm")).hasMessageContaining("no metric \"grad_norm\"; it has value");
        Path other = Files.writeString(dir.resolve("other.csv"), "step,loss\n1000,2.0\n");
        assertThatThrownBy(() -> RunComparison.of("loss", run, RunMetrics.read(other), 0.02, 10, 3))
                .hasMessageContaining("share no step").hasMessageContaining("baseline steps 100-200");
        Path noStep = Files.writeString(dir.resolve("nostep.csv"), "epoch,loss\n1,2.0\n");
        assertThatThrownBy(() -> RunMetrics.read(noStep)).hasMessageContaining("no step column");
    }

    @Test
    void readsTheMegatronDeepSpeedLogInTheSamples() throws IOException {
        Path sample = SharedSamples.get("training_logs/superbench_megatron_deepspeed_gpt6.7b_2node_rocm.log");
        RunMetrics run = RunMetrics.read(sample);
        // The sample's index: 5 iterations, lm loss 1.100492E+01 -> 9.927882E+00, TFLOPs 147.61..150.62.
        assertThat(run.metric("loss")).hasSize(5).containsEntry(1L, 11.00492);
        assertThat(run.metric("loss").get(5L)).isCloseTo(9.927882, within(1e-9));
        assertThat(run.metric("tflops").get(1L)).isEqualTo(147.61);
        assertThat(run.metric("elapsed time per iteration (ms)").get(1L)).isEqualTo(76015.3);
        assertThat(run.problems()).isEmpty();
    }
}
