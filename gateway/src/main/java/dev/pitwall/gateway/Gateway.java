package dev.pitwall.gateway;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.storage.Database;
import dev.pitwall.gateway.api.ClientHangUps;
import dev.pitwall.gateway.api.OpenAiService;
import dev.pitwall.gateway.api.PromptsStatusService;
import dev.pitwall.gateway.api.ServingStatusService;
import dev.pitwall.gateway.api.SloStatusService;
import dev.pitwall.gateway.auth.AdminAuthorization;
import dev.pitwall.gateway.auth.AdminKeysService;
import dev.pitwall.gateway.auth.ApiKeys;
import dev.pitwall.gateway.auth.TenantAuthentication;
import dev.pitwall.gateway.batch.EmbeddingBatcher;
import dev.pitwall.gateway.batch.MergedCalls;
import dev.pitwall.gateway.breaker.BreakerEvents;
import dev.pitwall.gateway.budget.BudgetCounters;
import dev.pitwall.gateway.budget.Budgets;
import dev.pitwall.gateway.budget.LocalCounters;
import dev.pitwall.gateway.budget.SharedCounters;
import dev.pitwall.gateway.budget.TenantBudgets;
import dev.pitwall.gateway.budget.TenantsApi;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.contract.ContractService;
import dev.pitwall.gateway.contract.OpenApiContract;
import dev.pitwall.gateway.diagnostics.DiagnosticsService;
import dev.pitwall.gateway.diagnostics.JvmEvents;
import dev.pitwall.gateway.diagnostics.SlowRequests;
import dev.pitwall.gateway.prompt.CanaryGuard;
import dev.pitwall.gateway.prompt.PromptFolder;
import dev.pitwall.gateway.prompt.PromptRegistry;
import dev.pitwall.gateway.prompt.PromptStage;
import dev.pitwall.gateway.prompt.PromptsService;
import dev.pitwall.gateway.routing.Backend;
import dev.pitwall.gateway.routing.BackendMonitor;
import dev.pitwall.gateway.routing.Router;
import dev.pitwall.gateway.sli.GatewayMetrics;
import dev.pitwall.gateway.slo.SliKind;
import dev.pitwall.gateway.slo.SloBoard;
import dev.pitwall.gateway.slo.SloSpec;
import dev.pitwall.gateway.slo.SlosApi;
import dev.pitwall.gateway.stream.StreamWatch;
import dev.pitwall.gateway.upstream.UpstreamClients;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The LLM gateway: its router, upstream clients, tenants' keys and HTTP routes. */
public final class Gateway implements AutoCloseable {

    /** Where {@link #service()} is mounted. */
    public static final String PATH = "/v1";
    /** The gateway's tables, migrated from {@code db/migration/gateway}. */
    public static final String MODULE = "gateway";

    private final Router router;
    private final UpstreamClients clients;
    private final ApiKeys apiKeys;
    private final Map<String, HttpService> services;
    private final BackendMonitor monitor;
    private final ClientHangUps hangUps = new ClientHangUps();
    private final StreamWatch streams = new StreamWatch();
    private final BudgetCounters counters;
    private final BreakerEvents breakerEvents;
    private final EmbeddingBatcher batcher;
    private final PromptRegistry prompts;
    private final PromptFolder promptFolder;
    private final SloBoard slos;
    private final JvmEvents jvmEvents;

    /**
     * @param database where tenants and keys are kept; its {@value #MODULE} tables must be migrated
     * @param registry where the service-level indicators go
     * @param tracer   where each request's trace goes
     * @param env      where backends' API key variables are looked up
     */
    public Gateway(GatewayConfig config, Database database, AuditLog audit, MeterRegistry registry, Tracer tracer,
                   Clock clock, Map<String, String> env) {
        this.breakerEvents = new BreakerEvents(audit, registry);
        this.router = new Router(config, ThreadLocalRandom.current(), breakerEvents);
        this.clients = new UpstreamClients(config.backends(), env);
        this.apiKeys = new ApiKeys(database, audit, clock);
        this.counters = config.redis().isEmpty() ? new LocalCounters(1.0, clock::millis)
                : new SharedCounters(config.redis(), config.replicas(), registry, clock::millis);
        TenantBudgets tenantBudgets = new TenantBudgets(database, audit, clock, config.tenants());
        AdminAuthorization admin = new AdminAuthorization(config.adminKey());
        this.prompts = new PromptRegistry(database, audit, clock);
        this.promptFolder = config.promptsDir().isEmpty() ? null
                : new PromptFolder(Path.of(config.promptsDir()), prompts, registry);
        GatewayMetrics metrics = new GatewayMetrics(registry,
                router.backends().stream().collect(Collectors.toMap(Backend::name, Backend::admission)),
                thresholds(config.slos(), SliKind.TTFT), thresholds(config.slos(), SliKind.LATENCY));
        this.slos = new SloBoard(database, audit, clock, config.slos());
        this.jvmEvents = config.diagnostics().enabled() ? new JvmEvents(config.diagnostics().eventThreshold()) : null;
        SlowRequests slowRequests = new SlowRequests(jvmEvents, config.diagnostics().slowRequestThreshold(),
                config.backends().stream().map(BackendConfig::url).toList());
        OpenApiContract contract = new OpenApiContract();
        this.batcher = new EmbeddingBatcher(config.batching(), new MergedCalls(router, clients), registry);
        Map<String, HttpService> mounted = new LinkedHashMap<>();
        mounted.put(PATH, new OpenAiService(contract, router, clients,
                new TenantAuthentication(apiKeys, config.requireApiKey()), new Budgets(tenantBudgets, counters, registry),
                new PromptStage(prompts), new CanaryGuard(config.promptRollback(), prompts), batcher, metrics, slos,
                slowRequests, tracer, hangUps, streams));
        mounted.put(AdminKeysService.PATH, new AdminKeysService(apiKeys, admin));
        mounted.put(TenantsApi.PATH, TenantsApi.service(tenantBudgets, admin));
        Supplier<List<PromptFolder.Source>> promptFiles = () -> promptFolder == null ? List.of() : promptFolder.sources();
        mounted.put(SlosApi.PATH, SlosApi.service(slos.definitions(), admin));
        mounted.put(SloStatusService.PATH, new SloStatusService(slos));
        mounted.put(PromptsService.PATH, new PromptsService(prompts, admin, promptFiles));
        mounted.put(PromptsStatusService.PATH, new PromptsStatusService(prompts, metrics, promptFiles));
        router.backends().forEach(b -> b.breakers().values().forEach(breakerEvents::watch));
        mounted.put(ServingStatusService.PATH, new ServingStatusService(router, metrics, breakerEvents, slowRequests));
        mounted.putAll(new DiagnosticsService(slowRequests, admin).services());
        mounted.put(ContractService.PATH, new ContractService(contract));
        this.services = Collections.unmodifiableMap(mounted);
        this.monitor = new BackendMonitor(router.backends(), clients, config.probeInterval(), config.downAfterProbes());
    }

    private static List<Duration> thresholds(List<SloSpec> slos, SliKind kind) {
        return slos.stream().filter(s -> s.sli() == kind).map(SloSpec::threshold).toList();
    }

    /**
     * Every HTTP API of the gateway, by mount path: OpenAI's API, keys, budgets, objectives, prompts,
     * serving and objectives' status, diagnostics (slow requests, profiles, the heap), the contract.
     */
    public Map<String, HttpService> services() {
        return services;
    }

    /**
     * For the server's HTTP/1 protocol: lets the gateway notice clients that leave while their
     * request waits on a backend.
     */
    public Http1ConnectionListener connectionListener() {
        return hangUps.connectionListener();
    }

    public ApiKeys apiKeys() {
        return apiKeys;
    }

    public PromptRegistry prompts() {
        return prompts;
    }

    public SloBoard slos() {
        return slos;
    }

    public Router router() {
        return router;
    }

    public BackendMonitor monitor() {
        return monitor;
    }

    @Override
    public void close() {
        monitor.close();
        hangUps.close();
        streams.close();
        batcher.close();
        if (promptFolder != null) {
            promptFolder.close();
        }
        prompts.close();
        slos.close();
        if (jvmEvents != null) {
            jvmEvents.close();
        }
        clients.close();
        counters.close();
    }
}
