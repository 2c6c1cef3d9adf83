package dev.pitwall.gateway.config;

import dev.pitwall.core.config.ConfigProblem;
import dev.pitwall.gateway.budget.TenantBudget;
import dev.pitwall.gateway.slo.SloSpec;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The gateway's section of {@code pitwall.yaml}.
 *
 * @param requireApiKey      whether {@code /v1} requests need a tenant's API key
 * @param adminKey           the key of the admin API that issues tenants' keys; empty turns it off
 * @param probeInterval      how often each backend's health and load are checked
 * @param downAfterProbes    consecutive failed health checks after which a backend is marked down
 * @param ejectAfterFailures consecutive failed requests after which a backend is left out
 * @param ejectionTime       how long a backend is left out
 * @param backends           the inference servers behind {@code /v1}
 * @param fallbacks          model fallback chains
 * @param tenants            tenants' budgets (the admin API's override these)
 * @param redis              the Redis every replica shares budgets through, {@code redis://host:port}; empty: none
 * @param replicas           gateway replicas sharing that Redis: while it is down each counts a 1/replicas share
 * @param quality            the quality-aware circuit breaker
 * @param batching           micro-batching of embeddings calls
 * @param promptRollback     when a prompt's canary is rolled back
 * @param promptsDir         a folder of prompt files (git-ops) applied and watched; empty: none
 * @param slos               service-level objectives (the admin API's override these)
 * @param diagnostics        latency-spike attribution from Flight Recorder events
 */
public record GatewayConfig(boolean requireApiKey, String adminKey, Duration probeInterval, int downAfterProbes,
                            int ejectAfterFailures, Duration ejectionTime, List<BackendConfig> backends,
                            List<FallbackConfig> fallbacks, List<TenantBudget> tenants, String redis, int replicas,
                            QualityConfig quality, BatchingConfig batching, RollbackConfig promptRollback,
                            String promptsDir, List<SloSpec> slos,
                            DiagnosticsConfig diagnostics) {

    public GatewayConfig {
        ConfigProblem.positive("probe-interval", probeInterval);
        ConfigProblem.inRange("down-after-probes", downAfterProbes, 1, 100, "a count of failed health checks");
        ConfigProblem.inRange("eject-after-failures", ejectAfterFailures, 1, 1000, "a count of failures");
        ConfigProblem.positive("ejection-time", ejectionTime);
        adminKey = adminKey == null ? "" : adminKey;
        if (!adminKey.isEmpty() && adminKey.length() < 16) {
            throw new ConfigProblem("admin-key", "a key of " + adminKey.length() + " characters",
                    "empty (admin API off) or at least 16 characters");
        }
        backends = backends == null ? List.of() : List.copyOf(backends);
        fallbacks = fallbacks == null ? List.of() : List.copyOf(fallbacks);
        tenants = tenants == null ? List.of() : List.copyOf(tenants);
        redis = redis == null ? "" : redis;
        if (!redis.isEmpty() && !redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
            throw new ConfigProblem("redis", "\"" + redis + "\"", "empty (budgets counted per replica) or a URL such as "
                    + "redis://127.0.0.1:6379");
        }
        quality = quality == null ? QualityConfig.defaults() : quality;
        batching = batching == null ? BatchingConfig.defaults() : batching;
        promptRollback = promptRollback == null ? RollbackConfig.defaults() : promptRollback;
        promptsDir = promptsDir == null ? "" : promptsDir;
        slos = slos == null ? List.of() : List.copyOf(slos);
        diagnostics = diagnostics == null ? DiagnosticsConfig.defaults() : diagnostics;
        Set<String> sloNames = new HashSet<>();
        for (SloSpec slo : slos) {
            if (!sloNames.add(slo.name())) {
                throw new ConfigProblem("slos", "\"" + slo.name() + "\" twice", "each objective named once");
            }
        }
        ConfigProblem.inRange("replicas", replicas, 1, 10_000, "the count of gateway replicas sharing the Redis");
        Set<String> tenantNames = new HashSet<>();
        for (TenantBudget tenant : tenants) {
            if (!tenantNames.add(tenant.name())) {
                throw new ConfigProblem("tenants", "\"" + tenant.name() + "\" twice", "each tenant named once");
            }
        }
        Set<String> names = new HashSet<>();
        for (BackendConfig backend : backends) {
            if (!names.add(backend.name())) {
                throw new ConfigProblem("backends", "\"" + backend.name() + "\" twice", "each backend named once");
            }
        }
    }

    public static GatewayConfig defaults() {
        return new GatewayConfig(true, "", Duration.ofSeconds(2), 3, 3, Duration.ofSeconds(10), List.of(), List.of(),
                List.of(), "", 1, QualityConfig.defaults(), BatchingConfig.defaults(),
                RollbackConfig.defaults(), "", List.of(), DiagnosticsConfig.defaults());
    }

    public GatewayConfig withBackends(List<BackendConfig> newBackends) {
        return new GatewayConfig(requireApiKey, adminKey, probeInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                newBackends, fallbacks, tenants, redis, replicas, quality, batching, promptRollback, promptsDir, slos, diagnostics);
    }

    public GatewayConfig withAdminKey(String newAdminKey) {
        return new GatewayConfig(requireApiKey, newAdminKey, probeInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                backends, fallbacks, tenants, redis, replicas, quality, batching, promptRollback, promptsDir, slos, diagnostics);
    }

    public GatewayConfig withFallbacks(List<FallbackConfig> newFallbacks) {
        return new GatewayConfig(requireApiKey, adminKey, probeInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                backends, newFallbacks, tenants, redis, replicas, quality, batching, promptRollback, promptsDir, slos, diagnostics);
    }

    public GatewayConfig withProbeInterval(Duration newInterval) {
        return new GatewayConfig(requireApiKey, adminKey, newInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                backends, fallbacks, tenants, redis, replicas, quality, batching, promptRollback, promptsDir, slos, diagnostics);
    }

    public GatewayConfig withDownAfterProbes(int newCount) {
        return new GatewayConfig(requireApiKey, adminKey, probeInterval, newCount, ejectAfterFailures, ejectionTime,
                backends, fallbacks, tenants, redis, replicas, quality, batching, promptRollback, promptsDir, slos, diagnostics);
    }

    public GatewayConfig withTenants(List<TenantBudget> newTenants) {
        return new GatewayConfig(requireApiKey, adminKey, probeInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                backends, fallbacks, newTenants, redis, replicas, quality, batching, promptRollback, promptsDir, slos, diagnostics);
    }

    public GatewayConfig withQuality(QualityConfig newQuality) {
        return new GatewayConfig(requireApiKey, adminKey, probeInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                backends, fallbacks, tenants, redis, replicas, newQuality, batching, promptRollback, promptsDir, slos, diagnostics);
    }

    public GatewayConfig withBatching(BatchingConfig newBatching) {
        return new GatewayConfig(requireApiKey, adminKey, probeInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                backends, fallbacks, tenants, redis, replicas, quality, newBatching, promptRollback, promptsDir, slos, diagnostics);
    }

    public GatewayConfig withPromptRollback(RollbackConfig newRollback) {
        return new GatewayConfig(requireApiKey, adminKey, probeInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                backends, fallbacks, tenants, redis, replicas, quality, batching, newRollback, promptsDir, slos, diagnostics);
    }

    public GatewayConfig withPromptsDir(String newDir) {
        return new GatewayConfig(requireApiKey, adminKey, probeInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                backends, fallbacks, tenants, redis, replicas, quality, batching, promptRollback, newDir, slos, diagnostics);
    }

    /** Budgets shared through the Redis at {@code url} by {@code replicaCount} replicas. */
    public GatewayConfig withRedis(String url, int replicaCount) {
        return new GatewayConfig(requireApiKey, adminKey, probeInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                backends, fallbacks, tenants, url, replicaCount, quality, batching, promptRollback, promptsDir, slos, diagnostics);
    }

    public GatewayConfig withSlos(List<SloSpec> newSlos) {
        return new GatewayConfig(requireApiKey, adminKey, probeInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                backends, fallbacks, tenants, redis, replicas, quality, batching, promptRollback, promptsDir, newSlos, diagnostics);
    }

    public GatewayConfig withDiagnostics(DiagnosticsConfig newDiagnostics) {
        return new GatewayConfig(requireApiKey, adminKey, probeInterval, downAfterProbes, ejectAfterFailures, ejectionTime,
                backends, fallbacks, tenants, redis, replicas, quality, batching, promptRollback, promptsDir, slos,
                newDiagnostics);
    }
}
