package dev.pitwall.gateway.config;

import dev.pitwall.core.config.ConfigProblem;
import java.time.Duration;

/**
 * The quality-aware circuit breaker: when a backend's answers for a model are judged bad, how
 * that moves it from closed to degraded to open and back. See docs/gateway.md for the score.
 *
 * @param enabled              whether answers are scored and backends moved at all
 * @param sampleRate           share of chat requests sent asking for logprobs when the client did not (stripped from the answer)
 * @param window               answers and failures remembered per backend and model
 * @param minSamples           answers needed in the window before any move
 * @param degradeAt            share of bad answers at which the backend is degraded (its traffic goes elsewhere, probes stay)
 * @param openAt               share of bad answers (or failures) at which it is opened: left out for the cool-down
 * @param recoverBelow         share of bad answers below which a degraded backend closes again
 * @param coolDown             how long an open backend is left out before probes
 * @param probes               answers a half-open backend must give, nearly all good, to close
 * @param probeRate            share of a degraded backend's first choices it keeps, to be judged by
 * @param repetitionMinCount   an answer whose end is one n-gram repeated this many times is degenerate
 * @param repetitionMaxPattern the longest n-gram (in tokens) looked for
 * @param tokenEntropyMax      normalized entropy of the top logprobs (0–1) above which an answer is noise
 * @param charEntropyTolerance bits per character an answer may differ from the model's usual
 * @param minChars             answers shorter than this are not judged on their characters
 * @param slowFirstToken       a streamed answer whose first token came later than this counts as bad
 */
public record QualityConfig(Boolean enabled, Double sampleRate, Integer window, Integer minSamples, Double degradeAt,
                            Double openAt, Double recoverBelow, Duration coolDown, Integer probes, Double probeRate,
                            Integer repetitionMinCount, Integer repetitionMaxPattern, Double tokenEntropyMax,
                            Double charEntropyTolerance, Integer minChars, Duration slowFirstToken) {

    public QualityConfig {
        enabled = enabled == null || enabled;
        sampleRate = sampleRate == null ? 0.1 : sampleRate;
        window = window == null ? 50 : window;
        minSamples = minSamples == null ? 10 : minSamples;
        degradeAt = degradeAt == null ? 0.3 : degradeAt;
        openAt = openAt == null ? 0.6 : openAt;
        recoverBelow = recoverBelow == null ? 0.1 : recoverBelow;
        coolDown = coolDown == null ? Duration.ofSeconds(30) : coolDown;
        probes = probes == null ? 5 : probes;
        probeRate = probeRate == null ? 0.1 : probeRate;
        repetitionMinCount = repetitionMinCount == null ? 4 : repetitionMinCount;
        repetitionMaxPattern = repetitionMaxPattern == null ? 8 : repetitionMaxPattern;
        tokenEntropyMax = tokenEntropyMax == null ? 0.9 : tokenEntropyMax;
        charEntropyTolerance = charEntropyTolerance == null ? 1.0 : charEntropyTolerance;
        minChars = minChars == null ? 64 : minChars;
        slowFirstToken = slowFirstToken == null ? Duration.ofSeconds(30) : slowFirstToken;
        share("sample-rate", sampleRate);
        share("probe-rate", probeRate);
        share("token-entropy-max", tokenEntropyMax);
        ConfigProblem.inRange("window", window, 5, 10_000, "an answer count");
        ConfigProblem.inRange("min-samples", minSamples, 1, window, "an answer count no larger than window");
        share("recover-below", recoverBelow);
        if (!(recoverBelow < degradeAt && degradeAt <= openAt && openAt <= 1)) {
            throw new ConfigProblem("degrade-at", degradeAt, "shares with recover-below < degrade-at <= open-at <= 1");
        }
        ConfigProblem.positive("cool-down", coolDown);
        ConfigProblem.inRange("probes", probes, 1, 1000, "an answer count");
        ConfigProblem.inRange("repetition-min-count", repetitionMinCount, 2, 1000, "a repeat count");
        ConfigProblem.inRange("repetition-max-pattern", repetitionMaxPattern, 1, 100, "an n-gram length in tokens");
        if (!(charEntropyTolerance > 0)) {
            throw new ConfigProblem("char-entropy-tolerance", charEntropyTolerance, "bits per character above 0");
        }
        ConfigProblem.inRange("min-chars", minChars, 1, 1_000_000, "a character count");
        ConfigProblem.positive("slow-first-token", slowFirstToken);
    }

    public static QualityConfig defaults() {
        return new QualityConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    private static void share(String key, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new ConfigProblem(key, value, "a share from 0 to 1");
        }
    }
}
