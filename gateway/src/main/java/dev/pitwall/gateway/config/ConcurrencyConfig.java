package dev.pitwall.gateway.config;

import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import dev.pitwall.core.config.ConfigProblem;
import dev.pitwall.gateway.admission.ConcurrencyLimit;
import dev.pitwall.gateway.admission.Limiter;
import java.time.Duration;

/**
 * A backend's concurrency limit and wait queue. The limit never exceeds the backend's
 * {@code max-in-flight}. Defaults follow Netflix concurrency-limits' own where they suit LLM
 * backends, whose latency is seconds rather than milliseconds: a wider tolerance, fewer samples.
 *
 * @param algorithm    fixed, gradient2 or vegas
 * @param initialLimit the limit until the backend's latency is learnt
 * @param minLimit     the limit never goes below this
 * @param queueSize    requests that may wait for a place; more are shed with 503
 * @param maxQueueWait a request waits at most this long, and is shed at once when its wait would be longer
 * @param smoothing    gradient2: how fast the limit moves toward its new estimate (0–1)
 * @param rttTolerance gradient2: how much the short-term latency may exceed the long-term before the limit shrinks (≥ 1)
 * @param longWindow   gradient2: samples in the long-term latency average
 * @param alpha        vegas: queued requests below which the limit grows
 * @param beta         vegas: queued requests above which the limit shrinks
 */
public record ConcurrencyConfig(LimitAlgorithm algorithm, Integer initialLimit, Integer minLimit, Integer queueSize,
                                Duration maxQueueWait, Double smoothing, Double rttTolerance, Integer longWindow,
                                Integer alpha, Integer beta) {

    public ConcurrencyConfig {
        // A backend's entry gets no defaults from the loader: each key left out is filled in here.
        algorithm = algorithm == null ? LimitAlgorithm.GRADIENT2 : algorithm;
        initialLimit = initialLimit == null ? 32 : initialLimit;
        minLimit = minLimit == null ? 4 : minLimit;
        queueSize = queueSize == null ? 256 : queueSize;
        maxQueueWait = maxQueueWait == null ? Duration.ofSeconds(5) : maxQueueWait;
        smoothing = smoothing == null ? 0.2 : smoothing;
        rttTolerance = rttTolerance == null ? 2.0 : rttTolerance;
        longWindow = longWindow == null ? 100 : longWindow;
        alpha = alpha == null ? 3 : alpha;
        beta = beta == null ? 6 : beta;
        ConfigProblem.inRange("initial-limit", initialLimit, 1, 1_000_000, "a request count");
        ConfigProblem.inRange("min-limit", minLimit, 1, initialLimit, "a request count no larger than initial-limit");
        ConfigProblem.inRange("queue-size", queueSize, 0, 1_000_000, "a request count (0: no queue)");
        ConfigProblem.positive("max-queue-wait", maxQueueWait);
        if (!(smoothing > 0 && smoothing <= 1)) {
            throw new ConfigProblem("smoothing", smoothing, "a number above 0, at most 1");
        }
        if (!(rttTolerance >= 1)) {
            throw new ConfigProblem("rtt-tolerance", rttTolerance, "a number of at least 1");
        }
        ConfigProblem.inRange("long-window", longWindow, 10, 100_000, "a sample count");
        ConfigProblem.inRange("alpha", alpha, 1, 1000, "a request count");
        ConfigProblem.inRange("beta", beta, alpha, 1000, "a request count no smaller than alpha");
    }

    /** The limiter this describes, never above {@code maxInFlight}. */
    public Limiter limiter(int maxInFlight) {
        int initial = Math.min(initialLimit, maxInFlight);
        int min = Math.min(minLimit, initial);
        return switch (algorithm) {
            case FIXED -> ConcurrencyLimit.fixed(maxInFlight);
            case GRADIENT2 -> new ConcurrencyLimit(Gradient2Limit.newBuilder()
                    .initialLimit(initial).minLimit(min).maxConcurrency(maxInFlight)
                    .smoothing(smoothing).rttTolerance(rttTolerance).longWindow(longWindow).build(), min, maxInFlight);
            case VEGAS -> new ConcurrencyLimit(VegasLimit.newBuilder()
                    .initialLimit(initial).maxConcurrency(maxInFlight).alpha(alpha).beta(beta).build(), min, maxInFlight);
        };
    }

    public static ConcurrencyConfig defaults() {
        return new ConcurrencyConfig(null, null, null, null, null, null, null, null, null, null);
    }

    /** A fixed limit of the backend's max-in-flight, with the default queue. */
    public static ConcurrencyConfig fixed() {
        return new ConcurrencyConfig(LimitAlgorithm.FIXED, null, null, null, null, null, null, null, null, null);
    }
}
