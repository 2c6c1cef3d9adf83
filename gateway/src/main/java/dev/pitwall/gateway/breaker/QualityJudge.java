package dev.pitwall.gateway.breaker;

import dev.pitwall.gateway.config.QualityConfig;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Judges answers by their {@link QualityScore}, against each model's usual character entropy:
 * a running mean over that model's healthy answers on every backend, so that one broken backend
 * stands out against the others (and a model's own style, prose or code, sets its norm).
 */
public final class QualityJudge {

    /** Healthy answers of a model seen before its usual character entropy is trusted. */
    static final int BASELINE_AFTER = 20;
    /** Alternatives asked for on a sampled request: enough for an entropy, few enough to keep answers small. */
    public static final int TOP_LOGPROBS = 5;
    private static final double BASELINE_SMOOTHING = 0.05;

    private final QualityConfig config;
    private final Map<String, Baseline> baselines = new ConcurrentHashMap<>();

    private final RandomGenerator random;

    public QualityJudge(QualityConfig config, RandomGenerator random) {
        this.config = config;
        this.random = random;
    }

    /** Whether this request should ask for log-probabilities its client did not ask for. */
    public boolean sampleLogprobs() {
        return config.enabled() && config.sampleRate() > 0 && random.nextDouble() < config.sampleRate();
    }

    public QualityConfig config() {
        return config;
    }

    /** Why {@code score}, an answer of {@code model}, is bad; a healthy one teaches the model's norm. */
    public Optional<String> judge(String model, QualityScore score) {
        Baseline baseline = baselines.computeIfAbsent(model, m -> new Baseline());
        Optional<String> fault = score.fault(config, baseline.usual());
        if (fault.isEmpty() && score.chars() >= config.minChars()) {
            baseline.add(score.charEntropy());
        }
        return fault;
    }

    private static final class Baseline {
        private int count;
        private double mean;

        synchronized void add(double value) {
            count++;
            mean = count == 1 ? value : count <= BASELINE_AFTER ? mean + (value - mean) / count
                    : mean + BASELINE_SMOOTHING * (value - mean);
        }

        synchronized double usual() {
            return count < BASELINE_AFTER ? Double.NaN : mean;
        }
    }
}
