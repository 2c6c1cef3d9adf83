package dev.pitwall.trainops.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageTarget;
import dev.pitwall.core.testing.StepClock;
import dev.pitwall.trainops.TrainOps;
import dev.pitwall.trainops.detect.JobProgress;
import dev.pitwall.trainops.signal.Signal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A job's progress history in the store: one history for replicas, kept across a restart. */
class JobHistoriesTest {

    private static final Instant START = Instant.parse("2026-11-24T08:00:00Z");

    @TempDir
    Path dir;

    static Stream<String> targets() {
        return StorageTarget.available();
    }

    private static String line(long iteration, double stepMs, double loss) {
        return String.format(Locale.ROOT, " iteration %8d/  100000 | elapsed time per iteration (ms): %.1f | "
                + "lm loss: %.6E | loss scale: 1.0 |", iteration, stepMs, loss);
    }

    /** One line, as a batch of one. */
    private static Optional<Signal> observe(JobProgress progress, String node, String source, String line, Instant at) {
        return Optional.ofNullable(progress.observe(List.of(new JobProgress.Line(node, source, line, at))).get(0));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void replicasShareOneHistoryAndARestartKeepsIt(String name) throws Exception {
        StepClock clock = new StepClock(START);
        Random noise = new Random(7);
        try (StorageTarget target = StorageTarget.create(name, dir)) {
            try (Database one = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry());
                 Database other = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
                one.migrate(TrainOps.MODULE);
                JobProgress first = new JobProgress(new JobHistories(one, clock));
                JobProgress second = new JobProgress(new JobHistories(other, clock));
                // Alternate steps of one job reach alternate replicas: each alone would have ten steps of history,
                // too few to judge; together they have twenty.
                for (int i = 1; i <= 20; i++) {
                    clock.advance(Duration.ofMillis(800));
                    JobProgress replica = i % 2 == 0 ? first : second;
                    assertThat(observe(replica, "gpu-a01", "job:train.log", line(i, 800 + noise.nextGaussian() * 10,
                            2.5 + noise.nextGaussian() * 0.01), clock.instant())).isEmpty();
                }
                Optional<Signal> spike = observe(first, "gpu-a01", "job:train.log", line(21, 800, 4.0), clock.instant());
                assertThat(spike).as("judged against both replicas' steps").hasValueSatisfying(
                        s -> assertThat(s.rule()).isEqualTo("loss-spike"));
            }
            // A restart: a new process, a new JobProgress, the same store.
            try (Database restarted = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
                JobProgress progress = new JobProgress(new JobHistories(restarted, clock));
                clock.advance(Duration.ofMillis(800));
                assertThat(observe(progress, "gpu-a01", "job:train.log", line(22, 1600, 2.5), clock.instant()))
                        .as("the slow step is seen against the history from before the restart")
                        .hasValueSatisfying(s -> assertThat(s.rule()).isEqualTo("throughput-drop"));
                // The stall check finds the job from the store, once.
                clock.advance(Duration.ofMinutes(5));
                assertThat(progress.stalled(clock.instant())).singleElement()
                        .satisfies(f -> assertThat(f.signal().rule()).isEqualTo("stalled-progress"));
                assertThat(progress.stalled(clock.instant())).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aBatchOverSeveralLogsKeepsEachLogsHistory(String name) throws Exception {
        StepClock clock = new StepClock(START);
        try (StorageTarget target = StorageTarget.create(name, dir);
             Database store = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
            store.migrate(TrainOps.MODULE);
            JobHistories histories = new JobHistories(store, clock);
            JobProgress progress = new JobProgress(histories);
            List<JobProgress.Line> batch = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                batch.add(new JobProgress.Line("gpu-a01", "job:train.log", line(i, 800, 2.5), clock.instant()));
                batch.add(new JobProgress.Line("gpu-a02", "job:train.log", line(100 + i, 900, 3.0), clock.instant()));
            }
            assertThat(progress.observe(batch)).isEmpty();

            assertThat(histories.progress()).extracting(JobHistories.Progress::node, JobHistories.Progress::lastIteration)
                    .containsExactly(tuple("gpu-a01", 20L), tuple("gpu-a02", 120L));
            Map<Integer, Signal> next = progress.observe(List.of(
                    new JobProgress.Line("gpu-a01", "job:train.log", line(21, 800, 2.5), clock.instant()),
                    new JobProgress.Line("gpu-a02", "job:train.log", line(121, 2000, 3.0), clock.instant())));
            assertThat(next).as("gpu-a02's slow step against its own 900 ms steps, kept from the first batch")
                    .containsOnlyKeys(1);
            assertThat(next.get(1).rule()).isEqualTo("throughput-drop");

            // Both jobs stop. The stall is told once; checks after it change nothing, and a day after
            // the last change the logs are forgotten, however often the check ran meanwhile.
            clock.advance(Duration.ofHours(1));
            assertThat(progress.stalled(clock.instant())).hasSize(2);
            for (int check = 0; check < 4; check++) {
                clock.advance(Duration.ofHours(6));
                assertThat(progress.stalled(clock.instant())).isEmpty();
            }
            assertThat(histories.logs()).as("24 h after the stall was told").hasSize(2);
            clock.advance(Duration.ofHours(1));
            assertThat(histories.logs()).isEmpty();

            // A collector's batch naming more nodes than one query takes: every log's step kept.
            List<JobProgress.Line> wide = new ArrayList<>();
            for (int n = 0; n < 1200; n++) {
                wide.add(new JobProgress.Line("gpu-w" + n, "job:train.log", line(7, 800, 2.5), clock.instant()));
            }
            progress.observe(wide);
            assertThat(histories.progress()).hasSize(1200)
                    .allSatisfy(p -> assertThat(p.lastIteration()).isEqualTo(7));
        }
    }
}
