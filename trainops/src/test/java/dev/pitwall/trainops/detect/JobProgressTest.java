package dev.pitwall.trainops.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.trainops.signal.Severity;
import dev.pitwall.trainops.signal.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** A job's iteration lines: a loss spike, a slow step and a stall are each seen once, ordinary noise is not. */
class JobProgressTest {

    private static final Instant START = Instant.parse("2026-11-24T08:00:00Z");

    private static String line(long iteration, double stepMs, double loss) {
        return String.format(Locale.ROOT, " iteration %8d/  100000 | consumed samples: %12d | elapsed time per iteration (ms): "
                + "%.1f | learning rate: 2.999E-04 | global batch size:  1024 | lm loss: %.6E | loss scale: 1.0 | "
                + "number of nan iterations:   0 |", iteration, iteration * 1024, stepMs, loss);
    }

    /** One line, as a batch of one. */
    private static Optional<Signal> observe(JobProgress progress, String node, String source, String line, Instant at) {
        return Optional.ofNullable(progress.observe(List.of(new JobProgress.Line(node, source, line, at))).get(0));
    }

    @Test
    void seesALossSpikeAndASlowStepButNotNoise() {
        JobProgress progress = new JobProgress();
        Random noise = new Random(5);
        Instant at = START;
        for (int i = 1; i <= 200; i++) {
            at = at.plusMillis(800);
            Optional<Signal> s = observe(progress, "gpu-a01", "job:train.log", line(i, 800 + noise.nextGaussian() * 20,
                    2.5 - i * 0.001 + noise.nextGaussian() * 0.02), at);
            assertThat(s).as("step %d is ordinary", i).isEmpty();
        }
        Optional<Signal> spike = observe(progress, "gpu-a01", "job:train.log", line(201, 805, 4.1), at.plusMillis(800));
        assertThat(spike).hasValueSatisfying(s -> {
            assertThat(s.rule()).isEqualTo("loss-spike");
            assertThat(s.fields()).containsEntry("iteration", "201");
            assertThat(s.meaning()).startsWith("loss 4.100 jumped above its recent mean 2.3");
        });
        Optional<Signal> slow = observe(progress, "gpu-a01", "job:train.log", line(202, 1500, 2.3), at.plusMillis(2300));
        assertThat(slow).hasValueSatisfying(s -> {
            assertThat(s.rule()).isEqualTo("throughput-drop");
            assertThat(s.fields()).containsEntry("step_ms", "1500.00");
        });
        // Another job's log on the same node keeps its own history: nothing to compare yet.
        assertThat(observe(progress, "gpu-a01", "job:other.log", line(1, 5000, 9.0), at)).isEmpty();
        assertThat(observe(progress, "gpu-a01", "job:train.log", "NCCL INFO Channel 00/0", at)).isEmpty();
    }

    @Test
    void aBatchJudgesEachStepAgainstTheStepsBeforeItAndKeepsInterleavedLogsApart() {
        List<String> updated = new ArrayList<>();
        JobProgress.InMemory memory = new JobProgress.InMemory();
        JobProgress progress = new JobProgress(new JobProgress.Histories() {
            @Override
            public void update(Collection<JobProgress.Log> logs, BiConsumer<JobProgress.Log, JobProgress.History> change) {
                logs.forEach(log -> updated.add(log.node() + " " + log.source()));
                memory.update(logs, change);
            }

            @Override
            public List<JobProgress.Log> logs() {
                return memory.logs();
            }
        });
        Random noise = new Random(3);
        List<JobProgress.Line> batch = new ArrayList<>();
        Instant at = START;
        for (int i = 1; i <= 30; i++) {
            at = at.plusMillis(800);
            batch.add(new JobProgress.Line("gpu-a01", "job:train.log", line(i, 800 + noise.nextGaussian() * 20,
                    2.5 + noise.nextGaussian() * 0.02), at));
            // The other job's losses are four times higher: were the histories mixed, neither would look steady.
            batch.add(new JobProgress.Line("gpu-a02", "job:train.log", line(i, 800 + noise.nextGaussian() * 20,
                    10 + noise.nextGaussian() * 0.02), at));
            batch.add(new JobProgress.Line("gpu-a01", "kernel", "NCCL INFO Channel 00/0 iteration of nothing", at));
        }
        batch.add(new JobProgress.Line("gpu-a01", "job:train.log", line(31, 805, 4.1), at.plusMillis(800)));

        Map<Integer, Signal> found = progress.observe(batch);

        assertThat(found).as("only the last line, the spike against the 30 steps of its own log in the same batch")
                .containsOnlyKeys(batch.size() - 1);
        assertThat(found.get(batch.size() - 1).rule()).isEqualTo("loss-spike");
        assertThat(updated).as("each log's history taken once for the batch").containsExactlyInAnyOrder(
                "gpu-a01 job:train.log", "gpu-a02 job:train.log");
    }

    @Test
    void readsTheLanguageModelsLossNotAnotherLossOnTheLine() {
        JobProgress progress = new JobProgress();
        Instant at = START;
        for (int i = 1; i <= 25; i++) {
            at = at.plusMillis(800);
            assertThat(observe(progress, "gpu-a03", "job:train.log", " iteration " + i + "/ 100 | moe aux loss: 9.0 | "
                    + "lm loss: " + (2.5 + (i % 2) * 0.01) + " | loss scale: 1.0 |", at)).isEmpty();
        }
        Optional<Signal> spike = observe(progress, "gpu-a03", "job:train.log",
                " iteration 26/ 100 | moe aux loss: 9.0 | lm loss: 4.1 | loss scale: 1.0 |", at.plusMillis(800));
        assertThat(spike).as("against the lm losses of about 2.5; the aux loss of 9 is not the model's")
                .hasValueSatisfying(s -> assertThat(s.fields()).containsEntry("loss", "4.10000"));
    }

    @Test
    void reportsAStallOnceUntilStepsComeBack() {
        JobProgress progress = new JobProgress();
        Instant at = START;
        for (int i = 1; i <= 30; i++) {
            at = at.plusSeconds(30);
            observe(progress, "gpu-a02", "job:train.log", line(i, 30_000, 2.0), at);
        }
        // Median step 30 s: a stall is 10 steps, 300 s, of silence.
        assertThat(progress.stalled(at.plusSeconds(290))).isEmpty();
        var stalled = progress.stalled(at.plusSeconds(310));
        assertThat(stalled).singleElement().satisfies(f -> {
            assertThat(f.node()).isEqualTo("gpu-a02");
            assertThat(f.signal().rule()).isEqualTo("stalled-progress");
            assertThat(f.signal().severity()).isEqualTo(Severity.ERROR);
            assertThat(f.signal().fields()).containsEntry("last_iteration", "30");
        });
        assertThat(progress.stalled(at.plusSeconds(600))).as("once per stall").isEmpty();
        observe(progress, "gpu-a02", "job:train.log", line(31, 30_000, 2.0), at.plus(Duration.ofMinutes(11)));
        assertThat(progress.stalled(at.plus(Duration.ofMinutes(22)))).hasSize(1);
    }
}
