package dev.pitwall.gateway.config;

import dev.pitwall.core.config.ConfigProblem;
import dev.pitwall.gateway.budget.TenantBudget;
import dev.pitwall.gateway.slo.SloSpec;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

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
        return with(c -> c.backends = newBackends);
    }

    public GatewayConfig withAdminKey(String newAdminKey) {
        return with(c -> c.adminKey = newAdminKey);
    }

    public GatewayConfig withFallbacks(List<FallbackConfig> newFallbacks) {
        return with(c -> c.fallbacks = newFallbacks);
    }

    public GatewayConfig withProbeInterval(Duration newInterval) {
        return with(c -> c.probeInterval = newInterval);
    }

    public GatewayConfig withDownAfterProbes(int newCount) {
        return with(c -> c.downAfterProbes = newCount);
    }

    public GatewayConfig withTenants(List<TenantBudget> newTenants) {
        return with(c -> c.tenants = newTenants);
    }

    public GatewayConfig withQuality(QualityConfig newQuality) {
        return with(c -> c.quality = newQuality);
    }

    public GatewayConfig withBatching(BatchingConfig newBatching) {
        return with(c -> c.batching = newBatching);
    }

    public GatewayConfig withPromptRollback(RollbackConfig newRollback) {
        return with(c -> c.promptRollback = newRollback);
    }

    public GatewayConfig withPromptsDir(String newDir) {
        return with(c -> c.promptsDir = newDir);
    }

    /** Budgets shared through the Redis at {@code url} by {@code replicaCount} replicas. */
    public GatewayConfig withRedis(String url, int replicaCount) {
        return with(c -> {
            c.redis = url;
            c.replicas = replicaCount;
        });
    }

    public GatewayConfig withSlos(List<SloSpec> newSlos) {
        return with(c -> c.slos = newSlos);
    }

    public GatewayConfig withDiagnostics(DiagnosticsConfig newDiagnostics) {
        return with(c -> c.diagnostics = newDiagnostics);
    }

    /** A copy with what {@code change} sets, checked as the constructor checks any configuration. */
    private GatewayConfig with(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return new GatewayConfig(c.requireApiKey, c.adminKey, c.probeInterval, c.downAfterProbes,
                c.ejectAfterFailures, c.ejectionTime, c.backends, c.fallbacks, c.tenants, c.redis, c.replicas,
                c.quality, c.batching, c.promptRollback, c.promptsDir, c.slos, c.diagnostics);
    }

    /** The components, to change one or two for {@link #with}. */
    private static final class Copy {
        boolean requireApiKey;
        String adminKey;
        Duration probeInterval;
        int downAfterProbes;
        int ejectAfterFailures;
        Duration ejectionTime;
        List<BackendConfig> backends;
        List<FallbackConfig> fallbacks;
        List<TenantBudget> tenants;
        String redis;
        int replicas;
        QualityConfig quality;
        BatchingConfig batching;
        RollbackConfig promptRollback;
        String promptsDir;
        List<SloSpec> slos;
        DiagnosticsConfig diagnostics;

        Copy(GatewayConfig g) {
            requireApiKey = g.requireApiKey;
            adminKey = g.adminKey;
            probeInterval = g.probeInterval;
            downAfterProbes = g.downAfterProbes;
            ejectAfterFailures = g.ejectAfterFailures;
            ejectionTime = g.ejectionTime;
            backends = g.backends;
            fallbacks = g.fallbacks;
            tenants = g.tenants;
            redis = g.redis;
            replicas = g.replicas;
            quality = g.quality;
            batching = g.batching;
            promptRollback = g.promptRollback;
            promptsDir = g.promptsDir;
            slos = g.slos;
            diagnostics = g.diagnostics;
        }
    }
}
