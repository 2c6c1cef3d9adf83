package dev.pitwall.gateway.config;

import dev.pitwall.core.config.ConfigProblem;

/**
 * When a prompt's canary is rolled back: over the last {@code window} requests of each version,
 * once the canary and production have each had {@code minRequests}, the canary's share goes to
 * 0 when it is worse than production's by more than a margin.
 *
 * @param enabled       whether canaries are watched at all
 * @param minRequests   requests each version needs before they are compared
 * @param window        requests of each version remembered
 * @param errorMargin   how much higher (a share, 0.05 = 5 points) the canary's error rate may be
 * @param ttftRatio     how many times production's median time to first token the canary's may be
 * @param qualityMargin how much higher (a share) the canary's share of answers judged bad may be
 */
public record RollbackConfig(Boolean enabled, Integer minRequests, Integer window, Double errorMargin,
                             Double ttftRatio, Double qualityMargin) {

    public RollbackConfig {
        enabled = enabled == null || enabled;
        minRequests = minRequests == null ? 50 : minRequests;
        window = window == null ? 200 : window;
        errorMargin = errorMargin == null ? 0.05 : errorMargin;
        ttftRatio = ttftRatio == null ? 1.5 : ttftRatio;
        qualityMargin = qualityMargin == null ? 0.1 : qualityMargin;
        ConfigProblem.inRange("window", window, 10, 100_000, "a request count");
        ConfigProblem.inRange("min-requests", minRequests, 1, window, "a request count no larger than window");
        if (!(errorMargin >= 0 && errorMargin <= 1)) {
            throw new ConfigProblem("error-margin", errorMargin, "a share from 0 to 1");
        }
        if (!(ttftRatio >= 1)) {
            throw new ConfigProblem("ttft-ratio", ttftRatio, "a ratio of at least 1");
        }
        if (!(qualityMargin >= 0 && qualityMargin <= 1)) {
            throw new ConfigProblem("quality-margin", qualityMargin, "a share from 0 to 1");
        }
    }

    public static RollbackConfig defaults() {
        return new RollbackConfig(null, null, null, null, null, null);
    }
}
