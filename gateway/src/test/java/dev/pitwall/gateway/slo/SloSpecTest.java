package dev.pitwall.gateway.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pitwall.core.config.ConfigProblem;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SloSpecTest {

    @Test
    void thirtyDaysPageAtFourteenPointFourAndSixAndTicketAtThreeAndOne() {
        AlertWindows w = AlertWindows.forPeriod(Duration.ofDays(30)).orElseThrow();
        assertThat(w.pageQuick().burnRate()).isCloseTo(14.4, within(1e-9));
        assertThat(w.pageSlow().burnRate()).isCloseTo(6.0, within(1e-9));
        assertThat(w.ticketQuick().burnRate()).isCloseTo(3.0, within(1e-9));
        assertThat(w.ticketSlow().burnRate()).isCloseTo(1.0, within(1e-9));
        assertThat(w.pageQuick().longWindow()).isEqualTo(Duration.ofHours(1));
        assertThat(w.pageQuick().shortWindow()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void twentyEightDaysScaleTheFactorsToTheShorterPeriod() {
        AlertWindows w = AlertWindows.forPeriod(Duration.ofDays(28)).orElseThrow();
        assertThat(w.pageQuick().burnRate()).isCloseTo(13.44, within(1e-9));
        assertThat(w.pageSlow().burnRate()).isCloseTo(5.6, within(1e-9));
        assertThat(w.ticketQuick().burnRate()).isCloseTo(2.8, within(1e-9));
        assertThat(w.ticketSlow().burnRate()).isCloseTo(28.0 / 30, within(1e-9));
    }

    @Test
    void otherPeriodsAreRefusedNamingTheTwoSupported() {
        assertThatThrownBy(() -> new SloSpec("a", SliKind.AVAILABILITY, 99.9, Duration.ofDays(7), null, "", ""))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("window").hasMessageContaining("28d or 30d");
    }

    @Test
    void aTimeObjectiveNeedsAThresholdAndAvailabilityTakesNone() {
        assertThatThrownBy(() -> new SloSpec("a", SliKind.TTFT, 99.0, null, null, "", ""))
                .isInstanceOf(ConfigProblem.class).extracting(e -> ((ConfigProblem) e).key()).isEqualTo("threshold");
        assertThatThrownBy(() -> new SloSpec("a", SliKind.AVAILABILITY, 99.0, null, Duration.ofSeconds(1), "", ""))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("no threshold");
        assertThatThrownBy(() -> new SloSpec("a", SliKind.LATENCY, 99.0, null, Duration.ZERO, "", ""))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("threshold");
    }

    @Test
    void anObjectiveIsAPercentageStrictlyBetweenZeroAndHundred() {
        for (Double objective : new Double[] {null, 0.0, 100.0, 100.1, -1.0, Double.NaN}) {
            assertThatThrownBy(() -> new SloSpec("a", SliKind.AVAILABILITY, objective, null, null, "", ""))
                    .as("objective %s", objective).isInstanceOf(ConfigProblem.class)
                    .extracting(e -> ((ConfigProblem) e).key()).isEqualTo("objective");
        }
        assertThat(new SloSpec("a", SliKind.AVAILABILITY, 99.95, null, null, null, null).errorBudget())
                .isCloseTo(0.0005, within(1e-12));
    }

    @Test
    void namesAreWhatPrometheusLabelsAndUrlsCarry() {
        for (String bad : new String[] {"", "Chat", "chat_availability", "-chat", "chat-", "a b"}) {
            assertThatThrownBy(() -> new SloSpec(bad, SliKind.AVAILABILITY, 99.0, null, null, "", ""))
                    .as(bad).isInstanceOf(ConfigProblem.class).extracting(e -> ((ConfigProblem) e).key())
                    .isEqualTo("name");
        }
        assertThat(new SloSpec("chat-availability-2", SliKind.AVAILABILITY, 99.0, null, null, "", "").window())
                .isEqualTo(Duration.ofDays(30));
    }
}
