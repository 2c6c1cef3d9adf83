package dev.pitwall.gateway.sli;

import static org.assertj.core.api.Assertions.assertThat;

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
}
