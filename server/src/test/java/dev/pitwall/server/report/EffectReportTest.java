package dev.pitwall.server.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.core.testing.SharedSamples;
import dev.pitwall.planner.compare.RunMetrics;
import dev.pitwall.trainops.incident.Incident;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EffectReportTest {

    private static final Instant START = Instant.parse("2026-10-01T00:00:00Z");
    private static final Instant MIDDLE = START.plus(Duration.ofDays(14));
    private static final Instant END = MIDDLE.plus(Duration.ofDays(14));

    private final EffectReport report = new EffectReport(new Bootstrap(4000, 0.95, 7));

    @TempDir
    Path dir;

    @Test
    void aTenPointRiseInUtilisationIsBetterWithAnIntervalAroundItAndNoiseAloneIsNoClearChange() {
        Random random = new Random(3);
        EffectReport.PeriodData before = period(START, MIDDLE, hours(START, 14 * 24, 60, random), List.of(), null);
        EffectReport.PeriodData flat = period(MIDDLE, END, hours(MIDDLE, 14 * 24, 60, random), List.of(), null);
        EffectReport.PeriodData risen = period(MIDDLE, END, hours(MIDDLE, 14 * 24, 70, random), List.of(), null);

        EffectReport.Row same = row(report.periods(before, flat, OptionalDouble.empty(), "USD"), "Physical GPU utilisation");
        EffectReport.Row better = row(report.periods(before, risen, OptionalDouble.empty(), "USD"), "Physical GPU utilisation");

        assertThat(same.reading()).isEqualTo(EffectReport.Reading.NO_CLEAR_CHANGE);
        assertThat(same.interval().low()).isNegative();
        assertThat(same.interval().high()).isPositive();
        assertThat(better.reading()).isEqualTo(EffectReport.Reading.BETTER);
        assertThat(better.change()).isBetween(9.0, 11.0);
        assertThat(better.interval().low()).isBetween(8.0, 10.0);
        assertThat(better.interval().high()).isBetween(10.0, 12.0);
        assertThat(better.before().n()).isEqualTo(14 * 24);
    }

    @Test
    void aShorterTimeToRecoverIsBetterAndOneIncidentIsTooFewToSay() {
        List<Incident> slow = new ArrayList<>();
        List<Incident> fast = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            slow.add(incident(i, START.plus(Duration.ofHours(30 * i + 5)), Duration.ofMinutes(55 + i * 2)));
            fast.add(incident(100 + i, MIDDLE.plus(Duration.ofHours(30 * i + 5)), Duration.ofMinutes(18 + i)));
        }
        EffectReport.Result result = report.periods(period(START, MIDDLE, List.of(), slow, null),
                period(MIDDLE, END, List.of(), fast, null), OptionalDouble.empty(), "USD");

        EffectReport.Row mttr = row(result, "Time to recover (MTTR)");
        assertThat(mttr.reading()).isEqualTo(EffectReport.Reading.BETTER);
        assertThat(mttr.change()).isCloseTo(21.5 - 62.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(mttr.interval().high()).isNegative();
        // No scrape in either period: not measured, never a 0 % utilisation.
        assertThat(row(result, "Physical GPU utilisation").reading()).isEqualTo(EffectReport.Reading.NOT_MEASURED);
        assertThat(row(result, "Physical GPU utilisation").before().mean()).isNull();
        assertThat(result.charts()).isEmpty();
        // Eight incidents in 14 days each: as many a day, no clear change.
        assertThat(row(result, "Incidents per day").reading()).isEqualTo(EffectReport.Reading.NO_CLEAR_CHANGE);
        assertThat(row(result, "Incidents per day").before().samples()).hasSize(14);

        // Three incidents in half a day are six a day, not three.
        Instant noon = START.plus(Duration.ofHours(12));
        EffectReport.Result halfDay = report.periods(period(START, noon, List.of(), List.of(
                        incident(201, START.plusSeconds(60), Duration.ofMinutes(5)),
                        incident(202, START.plusSeconds(7200), Duration.ofMinutes(5)),
                        incident(203, START.plusSeconds(36000), Duration.ofMinutes(5))), null),
                period(MIDDLE, END, List.of(), fast, null), OptionalDouble.empty(), "USD");
        assertThat(row(halfDay, "Incidents per day").before().samples()).containsExactly(6.0);

        EffectReport.Result one = report.periods(period(START, MIDDLE, List.of(), slow.subList(0, 1), null),
                period(MIDDLE, END, List.of(), fast, null), OptionalDouble.empty(), "USD");
        assertThat(row(one, "Time to recover (MTTR)").reading()).isEqualTo(EffectReport.Reading.TOO_FEW);
        assertThat(row(one, "Time to recover (MTTR)").interval()).isNull();
    }

    @Test
    void jobsCountInThePeriodTheyEndedInWithTheirGpuHoursAndCost() {
        List<JobRecords.Job> jobs = List.of(
                job("a", 8, START.plus(Duration.ofDays(1)), Duration.ofHours(10)),
                job("b", 8, START.plus(Duration.ofDays(2)), Duration.ofHours(12)),
                job("c", 16, MIDDLE.minus(Duration.ofHours(2)), Duration.ofHours(6)),  // ends after the middle: after
                job("d", 8, MIDDLE.plus(Duration.ofDays(3)), Duration.ofHours(5)),
                job("e", 8, END.plus(Duration.ofDays(3)), Duration.ofHours(5)));       // outside both
        EffectReport.Result result = report.periods(period(START, MIDDLE, List.of(), List.of(), jobs),
                period(MIDDLE, END, List.of(), List.of(), jobs), OptionalDouble.of(2.5), "EUR");

        EffectReport.Row gpuHours = row(result, "GPU-hours per job");
        assertThat(gpuHours.before().samples()).containsExactly(80.0, 96.0);
        assertThat(gpuHours.after().samples()).containsExactly(96.0, 40.0);
        assertThat(row(result, "Cost per job").before().samples()).containsExactly(200.0, 240.0);
        assertThat(row(result, "Cost per job").unit()).isEqualTo("EUR");
        // No tokens in the file: throughput is not measured rather than zero.
        assertThat(row(result, "Throughput per job").reading()).isEqualTo(EffectReport.Reading.NOT_MEASURED);

        EffectReport.Result withoutJobs = report.periods(period(START, MIDDLE, List.of(), List.of(), null),
                period(MIDDLE, END, List.of(), List.of(), null), OptionalDouble.of(2.5), "EUR");
        assertThat(withoutJobs.rows()).extracting(EffectReport.Row::metric).doesNotContain("GPU-hours per job");
        assertThat(withoutJobs.notes()).anySatisfy(n -> assertThat(n).contains("--jobs"));
    }

    @Test
    void aRealMegatronLogAgainstItselfIsNoChangeAndAFasterRunIsBetterOnStepTimeAndThroughput() throws Exception {
        RunMetrics real = RunMetrics.read(SharedSamples.get(
                "training_logs/superbench_megatron_deepspeed_gpt6.7b_2node_rocm.log"));
        EffectReport.Result itself = report.runs(new EffectReport.RunData(real, 1), new EffectReport.RunData(real, 1));
        EffectReport.Row step = row(itself, "Step time");
        assertThat(step.before().n()).isEqualTo(real.metrics().get("elapsed time per iteration (ms)").size() - 1);
        assertThat(step.change()).isZero();
        assertThat(step.reading()).isIn(EffectReport.Reading.NO_CLEAR_CHANGE, EffectReport.Reading.TOO_FEW);

        RunMetrics slow = RunMetrics.read(log("slow.log", 1000, 150, 11));
        RunMetrics fast = RunMetrics.read(log("fast.log", 900, 167, 12));
        EffectReport.Result result = report.runs(new EffectReport.RunData(slow, 10), new EffectReport.RunData(fast, 10));
        assertThat(row(result, "Step time").reading()).isEqualTo(EffectReport.Reading.BETTER);
        assertThat(row(result, "Step time").before().n()).isEqualTo(190);
        assertThat(row(result, "Step time").change()).isBetween(-110.0, -90.0);
        assertThat(row(result, "Throughput per GPU").reading()).isEqualTo(EffectReport.Reading.BETTER);
        assertThat(result.charts()).hasSize(1);
        String markdown = DocumentWriter.write(EffectReport.document(result), "md");
        assertThat(markdown).contains("| Step time |").contains("better").contains("95 % interval");
    }

    @Test
    void stepsThatFollowOneAnotherGetAWiderIntervalThanIndependentOnes() {
        // An AR(1) series with strong autocorrelation: resampling steps one by one would claim a precision
        // the run does not have.
        Random random = new Random(5);
        double[] a = ar1(400, 0.9, random);
        double[] b = ar1(400, 0.9, random);
        Bootstrap bootstrap = new Bootstrap(4000, 0.95, 1);
        Bootstrap.Interval series = bootstrap.differenceOfMeans(a, b, true);
        Bootstrap.Interval independent = bootstrap.differenceOfMeans(a, b, false);
        assertThat(series.high() - series.low()).isGreaterThan(1.5 * (independent.high() - independent.low()));
        assertThat(Bootstrap.blockLength(400, true)).isEqualTo(7);
        assertThat(Bootstrap.blockLength(400, false)).isEqualTo(1);
    }

    private static double[] ar1(int n, double phi, Random random) {
        double[] x = new double[n];
        for (int i = 1; i < n; i++) {
            x[i] = phi * x[i - 1] + random.nextGaussian();
        }
        return x;
    }

    private Path log(String name, double stepMs, double tflops, long seed) throws Exception {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 200; i++) {
            text.append(String.format(Locale.ROOT, " iteration %8d/     200 | consumed samples: %d | elapsed time per "
                    + "iteration (ms): %.1f | lm loss: %.4E | TFLOPs: %.2f |%n", i, i * 512,
                    stepMs * (1 + 0.03 * random.nextGaussian()), 3.0 - i * 0.001, tflops * (1 + 0.03 * random.nextGaussian())));
        }
        return Files.writeString(dir.resolve(name), text);
    }

    private static EffectReport.Row row(EffectReport.Result result, String metric) {
        return result.rows().stream().filter(r -> r.metric().equals(metric)).findFirst().orElseThrow();
    }

    private static EffectReport.PeriodData period(Instant from, Instant to, List<UtilizationStore.Hour> hours,
                                                  List<Incident> incidents, List<JobRecords.Job> jobs) {
        return new EffectReport.PeriodData(from, to, hours, incidents, jobs);
    }

    private static List<UtilizationStore.Hour> hours(Instant from, int count, double meanPct, Random random) {
        List<UtilizationStore.Hour> hours = new ArrayList<>();
        for (int h = 0; h < count; h++) {
            double physical = Math.max(0, Math.min(100, meanPct + 8 * random.nextGaussian()));
            hours.add(new UtilizationStore.Hour(from.plus(Duration.ofHours(h)), physical, 50, 240));
        }
        return hours;
    }

    private static Incident incident(long id, Instant detected, Duration toRecover) {
        return new Incident(id, "fault " + id, "gpu-hardware", "critical", "n1", List.of("n1"), Incident.State.MITIGATED,
                2, List.of("n1"), detected, detected, null, detected.plus(toRecover), null, detected.minusSeconds(40), null);
    }

    private static JobRecords.Job job(String id, int gpus, Instant started, Duration ran) {
        return new JobRecords.Job(id, gpus, started.minus(Duration.ofHours(1)), started, started.plus(ran),
                OptionalDouble.empty());
    }
}
