package dev.pitwall.gateway.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.gateway.sli.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EjectionTest {

    private static final long NOW = 1_000_000_000L;

    @Test
    void ejectsAfterTheFailuresInARowAndForTheTimeThePolicySays() {
        Ejection ejection = new Ejection(new EjectionPolicy(3, Duration.ofSeconds(10)));
        ejection.record(AttemptVerdict.FAILED, NOW);
        ejection.record(AttemptVerdict.FAILED, NOW);
        assertThat(ejection.ejected(NOW)).isFalse();
        ejection.record(AttemptVerdict.FAILED, NOW);
        assertThat(ejection.ejected(NOW + Duration.ofSeconds(9).toNanos())).isTrue();
        assertThat(ejection.ejected(NOW + Duration.ofSeconds(10).toNanos())).isFalse();
    }

    @Test
    void aSuccessEndsTheStreakAndACancelledRequestSaysNothing() {
        Ejection ejection = new Ejection(new EjectionPolicy(2, Duration.ofSeconds(10)));
        ejection.record(AttemptVerdict.FAILED, NOW);
        ejection.record(AttemptVerdict.SUCCEEDED, NOW);
        ejection.record(AttemptVerdict.FAILED, NOW);
        assertThat(ejection.ejected(NOW)).isFalse();
        ejection.record(AttemptVerdict.SAYS_NOTHING, NOW);
        ejection.record(AttemptVerdict.FAILED, NOW);
        assertThat(ejection.ejected(NOW)).isTrue();
    }

    @Test
    void judgesAttemptsByWhatTheyShowOfTheBackend() {
        assertThat(AttemptVerdict.of(false, null)).isEqualTo(AttemptVerdict.FAILED);
        assertThat(AttemptVerdict.of(true, Outcome.UPSTREAM_ERROR)).isEqualTo(AttemptVerdict.FAILED);
        assertThat(AttemptVerdict.of(true, Outcome.TIMEOUT)).isEqualTo(AttemptVerdict.FAILED);
        assertThat(AttemptVerdict.of(true, Outcome.SUCCESS)).isEqualTo(AttemptVerdict.SUCCEEDED);
        // A backend that refused the request itself (4xx) works; the client has to fix its request.
        assertThat(AttemptVerdict.of(true, Outcome.CLIENT_ERROR)).isEqualTo(AttemptVerdict.SUCCEEDED);
        assertThat(AttemptVerdict.of(true, Outcome.CLIENT_CANCELLED)).isEqualTo(AttemptVerdict.SAYS_NOTHING);
    }

    @Test
    void retriesOnlyWhatTheBackendFailedAt() {
        assertThat(RetryRules.retryable(500)).isTrue();
        assertThat(RetryRules.retryable(503)).isTrue();
        assertThat(RetryRules.retryable(429)).isTrue();
        assertThat(RetryRules.retryable(400)).isFalse();
        assertThat(RetryRules.retryable(404)).isFalse();
        assertThat(RetryRules.retryable(200)).isFalse();
    }
}
