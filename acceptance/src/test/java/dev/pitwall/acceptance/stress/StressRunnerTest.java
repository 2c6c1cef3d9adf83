package dev.pitwall.acceptance.stress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.core.testing.SharedSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StressRunnerTest {

    @TempDir
    Path dir;

    private static final List<String> NODES = IntStream.rangeClosed(1, 16).mapToObj(i -> "n" + i).toList();

    private static StressPlan plan(Double expected, String checkpoint, int... scales) {
        return new StressPlan("t", "", new StressPlan.Job("train {nodes}", "train.log", null, null, expected, 0.1, 2, 5,
                checkpoint, Duration.ofSeconds(10)), IntStream.of(scales).boxed().toList(), 8, null);
    }

    /** A Megatron-LM log of {@code steps} iterations at {@code tflops} per GPU. */
    private static void log(Path output, int steps, double tflops) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= steps; i++) {
            text.append(String.format(Locale.ROOT, " iteration %8d/     100 | elapsed time per iteration (ms): 9000.0 | "
                    + "throughput per GPU (TFLOP/s/GPU): %.1f | lm loss: 9.0E+00 |%n", i, tflops + (i % 3 - 1)));
        }
        Files.writeString(output.resolve("train.log"), text);
    }

    private static void checkpoint(Path output) throws IOException {
        Files.createDirectories(output.resolve("ckpt/iter_0000100"));
        Files.write(output.resolve("ckpt/iter_0000100/model.pt"), new byte[3 * StressRunner.CHECKPOINT_PROBE + 5]);
    }

    private static List<Finding> findings(StressResult r, int scale) {
        return r.scales().stream().filter(s -> s.scale() == scale).findFirst().orElseThrow().findings();
    }

    @Test
    void scalingEfficiencyIsPerGpuThroughputAgainstTheSmallestScaleAndFailsWhereItFalls() throws Exception {
        Map<Integer, Double> tflops = Map.of(2, 400.0, 4, 395.0, 8, 350.0, 16, 300.0);
        StressRunner runner = new StressRunner(plan(null, "{output}/ckpt", 2, 4, 8, 16), (n, command, output, timeout) -> {
            log(output, 30, tflops.get(n));
            checkpoint(output);
            return 0;
        }, Clock.systemUTC());

        StressResult result = runner.run(NODES, dir);

        assertThat(result.scales()).extracting(StressResult.ScaleRun::efficiency)
                .satisfiesExactly(e -> assertThat(e).isEqualTo(1.0), e -> assertThat(e).isCloseTo(395.0 / 400, within()),
                        e -> assertThat(e).isCloseTo(350.0 / 400, within()), e -> assertThat(e).isCloseTo(0.75, within()));
        assertThat(findings(result, 4)).isEmpty();
        assertThat(findings(result, 8)).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("scaling");
            assertThat(f.verdict()).isEqualTo(Verdict.WARN);
        });
        assertThat(findings(result, 16)).singleElement().satisfies(f -> {
            assertThat(f.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(f.value()).isEqualTo("75 %");
            assertThat(f.detail()).contains("against 2 nodes'");
        });
        assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
        // Warm-up steps (2) left out: 28 of 30 steps, their median.
        assertThat(result.scales().getFirst().steps()).isEqualTo(28);
        assertThat(result.scales().getFirst().perGpu()).isEqualTo(400.0);
        assertThat(result.scales().getFirst().checkpoint()).isEqualTo(StressResult.Checkpoint.READ_BACK);
        assertThat(Files.isDirectory(dir.resolve("scale-016"))).isTrue();
        String html = DocumentWriter.html(result.document());
        assertThat(html).contains("Scaling efficiency").contains("<svg");
        assertThat(result.evaluation().nodes()).containsEntry("16 nodes", Verdict.FAIL).containsEntry("4 nodes", Verdict.PASS);
    }

    @Test
    void aCrashAMissingCheckpointAndASilentLogEachFailTheirScaleAndLargerScalesStillRun() throws Exception {
        List<Integer> launched = new ArrayList<>();
        StressRunner runner = new StressRunner(plan(null, "{output}/ckpt", 2, 4, 8, 16), (n, command, output, timeout) -> {
            launched.add(n);
            switch (n) {
                case 2 -> {
                    log(output, 30, 400);
                    checkpoint(output);
                }
                case 4 -> {
                    log(output, 4, 400);
                    Files.writeString(output.resolve("train.log"), "RuntimeError: CUDA error: an illegal memory access\n",
                            java.nio.file.StandardOpenOption.APPEND);
                    return 1;
                }
                case 8 -> log(output, 30, 398);
                default -> {
                    log(output, 30, 397);
                    Files.createDirectories(output.resolve("ckpt"));
                }
            }
            return 0;
        }, Clock.systemUTC());

        StressResult result = runner.run(NODES, dir);

        assertThat(launched).containsExactly(2, 4, 8, 16);
        assertThat(findings(result, 2)).isEmpty();
        assertThat(findings(result, 4)).extracting(Finding::check).containsExactly("job", "log", "checkpoint");
        assertThat(findings(result, 4).getFirst().detail()).contains("its log ends: RuntimeError: CUDA error");
        assertThat(findings(result, 8)).extracting(Finding::check).containsExactly("checkpoint");
        assertThat(findings(result, 8).getFirst().value()).isEqualTo("missing");
        // An empty checkpoint folder does not read back as a checkpoint.
        assertThat(findings(result, 16)).singleElement().satisfies(f -> assertThat(f.value()).isEqualTo("unreadable"));
    }

    @Test
    void belowTheExpectedThroughputFailsEvenWhenItScales() throws Exception {
        StressRunner runner = new StressRunner(plan(450.0, null, 2, 4), (n, command, output, timeout) -> {
            log(output, 30, 400);
            return 0;
        }, Clock.systemUTC());
        StressResult result = runner.run(NODES, dir);
        assertThat(result.scales()).allSatisfy(s -> {
            assertThat(s.checkpoint()).isEqualTo(StressResult.Checkpoint.NOT_CHECKED);
            assertThat(s.findings()).singleElement().satisfies(f -> {
                assertThat(f.check()).isEqualTo("throughput");
                assertThat(f.expected()).isEqualTo("≥ 405.0 TFLOPS/GPU");
            });
        });
    }

    @Test
    void theShellLauncherFillsThePlaceholdersAndATimedOutJobFails() throws Exception {
        StressPlan shell = new StressPlan("sh", "", new StressPlan.Job(
                "for i in 1 2 3 4 5 6 7 8; do echo \" iteration $i/ 8 | TFLOPs: {nodes}0.0 | hosts {hosts} gpus {gpus}\"; "
                        + "done > {output}/train.log", null, null, null, null, 0.1, 0, 5, null, Duration.ofSeconds(20)),
                List.of(2, 3), 4, null);
        StressResult result = new StressRunner(shell, StressRunner.SHELL, Clock.systemUTC()).run(NODES, dir);
        assertThat(result.scales()).extracting(StressResult.ScaleRun::perGpu).containsExactly(20.0, 30.0);
        assertThat(Files.readString(dir.resolve("scale-003/train.log"))).contains("hosts n1,n2,n3 gpus 12");

        StressPlan slow = new StressPlan("slow", "", new StressPlan.Job("sleep 30", null, null, null, null, 0.1, 0, 1,
                null, Duration.ofMillis(300)), List.of(1), 8, null);
        StressResult timedOut = new StressRunner(slow, StressRunner.SHELL, Clock.systemUTC()).run(NODES, dir.resolve("slow"));
        assertThat(timedOut.scales().getFirst().exitCode()).isEqualTo(-1);
        assertThat(timedOut.scales().getFirst().findings().getFirst().value()).isEqualTo("timed out");
    }

    @Test
    void theDefaultPatternReadsARealMegatronDeepSpeedLog() throws Exception {
        Path sample = SharedSamples.get("training_logs/superbench_megatron_deepspeed_gpt6.7b_2node_rocm.log");
        StressPlan real = new StressPlan("real", "", new StressPlan.Job("true", sample.getFileName().toString(), null,
                null, null, 0.1, 1, 2, null, null), List.of(2), 8, null);
        StressResult result = new StressRunner(real, (n, command, output, timeout) -> {
            Files.copy(sample, output.resolve(sample.getFileName()));
            return 0;
        }, Clock.systemUTC()).run(NODES, dir);
        long logged = Files.readAllLines(sample).stream().filter(l -> l.contains("TFLOPs:")).count();
        assertThat(result.scales().getFirst().steps()).isEqualTo((int) logged - 1);
        assertThat(result.scales().getFirst().perGpu()).isPositive();
    }

    @Test
    void plansAreCheckedWhenTheyLoadAndTheLargestScaleMustHaveItsNodes() throws Exception {
        StressPlan shipped = StressPlan.load("stress");
        assertThat(shipped.scales()).containsExactly(32, 64, 128);
        assertThat(shipped.job().command()).contains("{hosts}").contains("--log-throughput");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "name: x\nscales: [2]\njob:\n  command: run\n  throughput: 'TFLOPs: ('\n");
        assertThatThrownBy(() -> StressPlan.load(bad.toString())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("throughput");
        assertThatThrownBy(() -> new StressRunner(plan(null, null, 2, 32), (n, c, o, t) -> 0, Clock.systemUTC())
                .run(NODES, dir)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 32 nodes; 16 given");
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(0.005);
    }
}
