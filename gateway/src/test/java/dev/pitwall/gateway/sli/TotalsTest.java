package dev.pitwall.gateway.sli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The time-to-first-token percentiles the Serving page draws: nearest rank, nothing made up when empty. */
class TotalsTest {

    @Test
    void takesTheNearestRank() {
        double[] hundred = IntStream.rangeClosed(1, 100).asDoubleStream().toArray();
        assertThat(Totals.percentile(hundred, 0.50)).isEqualTo(50.0);
        assertThat(Totals.percentile(hundred, 0.99)).isEqualTo(99.0);
        // One slow request in ten: the median does not move, the 99th percentile is the slow one.
        double[] tenWithOneSlow = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 3.0};
        assertThat(Totals.percentile(tenWithOneSlow, 0.50)).isEqualTo(0.1);
        assertThat(Totals.percentile(tenWithOneSlow, 0.99)).isEqualTo(3.0);
        assertThat(Totals.percentile(new double[0], 0.5)).isNull();
        assertThat(new Totals().snapshot().firstTokenP50Seconds()).as("no streamed request yet").isNull();
    }

    @Test
    void keepsTheLatestSamplesOfABusyMinute() {
        Totals totals = new Totals();
        long start = System.nanoTime();
        for (int i = 0; i < Totals.WINDOW_SAMPLES + 500; i++) {
            RequestObservation streamed = new RequestObservation("m", "t", start);
            // The last 500 are slow: they are the ones kept beside the earlier fast ones.
            streamed.token(start + (i < Totals.WINDOW_SAMPLES ? Duration.ofMillis(100) : Duration.ofSeconds(3)).toNanos());
            streamed.finish(Outcome.SUCCESS, start + Duration.ofSeconds(4).toNanos());
            totals.add(streamed);
        }
        assertThat(totals.windowSamples()).isEqualTo(Totals.WINDOW_SAMPLES);
        Totals.Snapshot snapshot = totals.snapshot();
        assertThat(snapshot.firstTokens()).isEqualTo(Totals.WINDOW_SAMPLES + 500);
        // 500 slow ones of the 10,000 kept: 5 % of the window, so the 99th percentile is slow, the median not.
        assertThat(snapshot.firstTokenP99Seconds()).isEqualTo(3.0);
        assertThat(snapshot.firstTokenP50Seconds()).isEqualTo(0.1);
    }
}
