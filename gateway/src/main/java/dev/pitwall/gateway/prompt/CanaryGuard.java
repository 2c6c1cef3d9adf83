package dev.pitwall.gateway.prompt;

import dev.pitwall.gateway.config.RollbackConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches each prompt version's last requests — failures, time to first token, answers the
 * quality judge found bad — and rolls a canary back (its share of the rollout to 0, the reason
 * in the label history, an audited event) when it is worse than production by a configured
 * margin, once both have had enough requests to tell.
 */
public final class CanaryGuard {

    private record Sample(boolean failed, boolean bad, long firstTokenNanos) {
    }

    /** The figures of one version's window, as the rollback's reason states them. */
    record Figures(int requests, double errorRate, double badShare, double medianFirstTokenMillis) {

        String describe() {
            return String.format(Locale.ROOT, "%d requests, %.1f %% failed, %.1f %% judged bad, median first token %s",
                    requests, errorRate * 100, badShare * 100,
                    Double.isNaN(medianFirstTokenMillis) ? "—" : String.format(Locale.ROOT, "%.0f ms", medianFirstTokenMillis));
        }
    }

    private final RollbackConfig config;
    private final PromptRegistry registry;
    /** Comparing copies and sorts both windows: once every this many requests of a prompt is enough. */
    private static final int CHECK_EVERY = 10;

    private final Map<String, ArrayDeque<Sample>> windows = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> recorded = new ConcurrentHashMap<>();

    public CanaryGuard(RollbackConfig config, PromptRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    /**
     * One finished request that {@code served} served.
     *
     * @param failed     the service failed it (not the client)
     * @param firstToken its time to first token, or null
     * @param bad        the quality judge found its answer bad
     */
    public void record(PromptStage.Served served, boolean failed, Duration firstToken, boolean bad) {
        if (!config.enabled()) {
            return;
        }
        ArrayDeque<Sample> window = windows.computeIfAbsent(served.tag(), k -> new ArrayDeque<>());
        synchronized (window) {
            window.addLast(new Sample(failed, bad, firstToken == null ? -1 : firstToken.toNanos()));
            if (window.size() > config.window()) {
                window.removeFirst();
            }
        }
        if (recorded.computeIfAbsent(served.name(), k -> new AtomicLong()).incrementAndGet() % CHECK_EVERY == 0) {
            check(served.name());
        }
    }

    private void check(String name) {
        Optional<Rollout> rollout = registry.rollout(name);
        Optional<Integer> production = registry.labelled(name, PromptStage.DEFAULT_LABEL);
        if (rollout.isEmpty() || production.isEmpty()) {
            return;
        }
        Figures baseline = figures(name + "@" + production.get());
        if (baseline.requests() < config.minRequests()) {
            return;
        }
        for (Map.Entry<String, Integer> side : rollout.get().split().entrySet()) {
            Optional<Integer> version = registry.labelled(name, side.getKey());
            if (side.getValue() == 0 || side.getKey().equals(PromptStage.DEFAULT_LABEL) || version.isEmpty()
                    || version.get().equals(production.get())) {
                continue;
            }
            String tag = name + "@" + version.get();
            Figures canary = figures(tag);
            if (canary.requests() < config.minRequests()) {
                continue;
            }
            Optional<String> worse = worse(canary, baseline);
            if (worse.isPresent()) {
                String reason = "rolled back: " + worse.get() + " (canary version " + version.get() + ": "
                        + canary.describe() + "; production version " + production.get() + ": " + baseline.describe() + ")";
                if (registry.rollBack(name, side.getKey(), reason)) {
                    windows.remove(tag);
                }
            }
        }
    }

    private Optional<String> worse(Figures canary, Figures production) {
        if (canary.errorRate() - production.errorRate() > config.errorMargin()) {
            return Optional.of("its error rate is worse than production's by more than "
                    + Math.round(config.errorMargin() * 100) + " points");
        }
        if (canary.badShare() - production.badShare() > config.qualityMargin()) {
            return Optional.of("its share of answers judged bad is higher than production's by more than "
                    + Math.round(config.qualityMargin() * 100) + " points");
        }
        if (!Double.isNaN(canary.medianFirstTokenMillis()) && !Double.isNaN(production.medianFirstTokenMillis())
                && canary.medianFirstTokenMillis() > production.medianFirstTokenMillis() * config.ttftRatio()) {
            return Optional.of(String.format(Locale.ROOT, "its median time to first token is over %.1f times production's",
                    config.ttftRatio()));
        }
        return Optional.empty();
    }

    private Figures figures(String tag) {
        ArrayDeque<Sample> window = windows.get(tag);
        if (window == null) {
            return new Figures(0, 0, 0, Double.NaN);
        }
        List<Sample> samples;
        synchronized (window) {
            samples = new ArrayList<>(window);
        }
        int failed = 0;
        int bad = 0;
        List<Long> firstTokens = new ArrayList<>();
        for (Sample s : samples) {
            failed += s.failed() ? 1 : 0;
            bad += s.bad() ? 1 : 0;
            if (s.firstTokenNanos() >= 0) {
                firstTokens.add(s.firstTokenNanos());
            }
        }
        firstTokens.sort(null);
        double median = firstTokens.isEmpty() ? Double.NaN : firstTokens.get(firstTokens.size() / 2) / 1e6;
        int n = samples.size();
        return new Figures(n, n == 0 ? 0 : (double) failed / n, n == 0 ? 0 : (double) bad / n, median);
    }
}
