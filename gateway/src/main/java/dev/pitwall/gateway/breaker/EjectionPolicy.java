package dev.pitwall.gateway.breaker;

import java.time.Duration;

/**
 * Passive outlier detection's policy: after {@code afterFailures} failed requests in a row a
 * backend is left out of first choices for {@code duration} (it is still tried last, so a model
 * whose every backend is ejected is served rather than refused).
 */
public record EjectionPolicy(int afterFailures, Duration duration) {

    public EjectionPolicy {
        if (afterFailures < 1) {
            throw new IllegalArgumentException("a backend is ejected after at least one failure, not " + afterFailures);
        }
    }
}
