package dev.pitwall.server;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.metrics.Metrics;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.tracing.Tracing;
import dev.pitwall.gateway.Gateway;
import dev.pitwall.gateway.api.ServingStatusService;
import dev.pitwall.gateway.auth.AdminKeysService;
import dev.pitwall.gateway.contract.ContractService;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.server.console.ConsoleService;
import dev.pitwall.trainops.check.store.AcceptanceRuns;
import dev.pitwall.trainops.check.store.AcceptanceService;
import dev.pitwall.trainops.detect.LogMatcher;
import dev.pitwall.trainops.detect.RuleCatalog;
import dev.pitwall.trainops.incident.IncidentService;
import dev.pitwall.trainops.incident.Incidents;
import dev.pitwall.trainops.action.NodeCordon;
import dev.pitwall.trainops.ingest.IngestService;
import dev.pitwall.trainops.ingest.LokiPushService;
import dev.pitwall.trainops.ingest.NodeInventory;
import dev.pitwall.trainops.knowledge.KnowledgeBase;
import dev.pitwall.trainops.knowledge.KnowledgeService;
import dev.pitwall.trainops.telemetry.GpuTelemetry;
import dev.pitwall.trainops.ingest.SignalStore;
import dev.pitwall.server.http.AuditService;
import dev.pitwall.server.http.ErrorResponses;
import dev.pitwall.server.http.GzipRequestBodies;
import dev.pitwall.server.http.HealthService;
import dev.pitwall.server.http.MetricsService;
import dev.pitwall.server.http.RequestMetricsFilter;
import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.accesslog.AccessLogFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Pitwall: the store opened and migrated, the meters bound and the HTTP server
 * listening with every module's routes. {@link #close()} stops taking requests, lets the
 * in-flight ones finish within {@link ServerConfig#shutdownGrace()}, then closes the store.
 */
public final class Pitwall implements AutoCloseable {

    /** Access log lines go to this logger; logback sends it to its own file. */
    public static final String ACCESS_LOGGER = "pitwall.access";

    private static final Logger LOG = LoggerFactory.getLogger(Pitwall.class);

    private final Metrics metrics;
    private final Tracing tracing;
    private final Database database;
    private final Gateway gateway;
    private final KnowledgeBase knowledge;
    private final Optional<NodeCordon> cordon;
    /** Runs the stalled-job check and the GPU telemetry scrapes. */
    private final ScheduledExecutorService watch;
    private static final Duration STALL_CHECK = Duration.ofSeconds(15);
    private final AcceptanceRuns acceptanceRuns;
    private final WebServer server;

    private Pitwall(Metrics metrics, Tracing tracing, Database database, Gateway gateway, KnowledgeBase knowledge,
                    Optional<NodeCordon> cordon, ScheduledExecutorService watch, AcceptanceRuns acceptanceRuns,
                    WebServer server) {
        this.cordon = cordon;
        this.watch = watch;
        this.metrics = metrics;
        this.tracing = tracing;
        this.database = database;
        this.gateway = gateway;
        this.knowledge = knowledge;
        this.acceptanceRuns = acceptanceRuns;
        this.server = server;
    }

    public static Pitwall start(PitwallConfig config, Clock clock) {
        return start(config, clock, Map.of());
    }

    /**
     * @param services extra routes by mount path, beside the built-in ones (modules' APIs)
     */
    public static Pitwall start(PitwallConfig config, Clock clock, Map<String, HttpService> services) {
        Metrics metrics = new Metrics();
        Tracing tracing = Tracing.create(config.tracing(), BuildInfo.current().version());
        Database database = null;
        Gateway gateway = null;
        KnowledgeBase knowledge = null;
        Optional<NodeCordon> cordon = Optional.empty();
        ScheduledExecutorService watch = null;
        try {
            database = Database.open(config.storage(), config.dataDir(), metrics.registry());
            database.migrate(AuditLog.MODULE);
            database.migrate(Gateway.MODULE);
            database.migrate(AcceptanceRuns.MODULE);
            AcceptanceRuns acceptanceRuns = new AcceptanceRuns(database, clock);
            AuditLog audit = new AuditLog(database, clock);
            gateway = new Gateway(config.gateway(), database, audit, metrics.registry(),
                    tracing.tracer("dev.pitwall.gateway"), clock, System.getenv());
            Map<String, HttpService> mounted = new LinkedHashMap<>(services);
            mounted.put(Gateway.PATH, gateway.service());
            mounted.put(AdminKeysService.PATH, gateway.adminService());
            mounted.put(ServingStatusService.PATH, gateway.statusService());
            mounted.put(ContractService.PATH, gateway.contractService());
            mounted.put(AcceptanceService.PATH, new AcceptanceService(acceptanceRuns));
            SignalStore signals = new SignalStore(database, clock);
            Incidents incidents = new Incidents(database, audit, clock);
            GpuTelemetry telemetry = new GpuTelemetry(config.telemetry(), database, clock);
            IngestService ingest = new IngestService(new LogMatcher(RuleCatalog.builtIn()), signals, incidents, telemetry,
                    new NodeInventory(database, clock), metrics.registry(), clock);
            watch = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("stalled-jobs").factory());
            watch.scheduleWithFixedDelay(() -> {
                try {
                    ingest.checkStalledJobs();
                } catch (RuntimeException e) {
                    LOG.warn("checking for stalled jobs failed: {}", e.toString());
                }
            }, STALL_CHECK.toMillis(), STALL_CHECK.toMillis(), TimeUnit.MILLISECONDS);
            if (!config.telemetry().targets().isEmpty()) {
                long every = config.telemetry().interval().toMillis();
                watch.scheduleWithFixedDelay(() -> {
                    try {
                        ingest.acceptSignals(telemetry.scrape());
                    } catch (RuntimeException e) {
                        LOG.warn("GPU telemetry round failed: {}", e.toString());
                    }
                }, 0, every, TimeUnit.MILLISECONDS);
            }
            mounted.put(IngestService.PATH, ingest);
            mounted.put(LokiPushService.PATH, new LokiPushService(ingest));
            knowledge = new KnowledgeBase(database, clock);
            cordon = config.kubernetes().enabled() ? Optional.of(NodeCordon.connect(config.kubernetes())) : Optional.empty();
            mounted.put(IncidentService.PATH, new IncidentService(incidents, signals, knowledge, cordon, audit));
            mounted.put(KnowledgeService.PATH, new KnowledgeService(knowledge));
            WebServer server = webServer(config.server(), gateway.connectionListener(),
                    routing(database, acceptanceRuns, signals, incidents, knowledge, metrics, audit, clock, mounted)).start();
            return new Pitwall(metrics, tracing, database, gateway, knowledge, cordon, watch, acceptanceRuns, server);
        } catch (RuntimeException e) {
            if (gateway != null) {
                gateway.close();
            }
            if (knowledge != null) {
                closeQuietly(knowledge);
            }
            cordon.ifPresent(NodeCordon::close);
            if (database != null) {
                database.close();
            }
            tracing.close();
            metrics.close();
            throw e;
        }
    }

    private static WebServer webServer(ServerConfig config, Http1ConnectionListener gatewayListener,
                                       HttpRouting.Builder routing) {
        var builder = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .maxPayloadSize(config.maxRequestBytes())
                // Streamed tokens are small writes; without TCP_NODELAY, Nagle's algorithm holds
                // each one back until the client's (delayed) acknowledgement of the previous one.
                .connectionOptions(socket -> socket.tcpNoDelay(true))
                .addProtocol(Http1Config.builder().addReceiveListener(gatewayListener).build())
                .shutdownGracePeriod(config.shutdownGrace())
                .directHandlers(ErrorResponses.directHandlers())
                // Pitwall closes the server and then the store in order; Helidon's own hook
                // would race the store's closing.
                .shutdownHook(false)
                .featuresDiscoverServices(false)
                .contentEncoding(ContentEncodingContext.builder().contentEncodingsDiscoverServices(false)
                        .addContentEncoding(new GzipRequestBodies()).build())
                .routing(routing);
        if (config.accessLog()) {
            builder.addFeature(AccessLogFeature.builder().commonLogFormat().loggerName(ACCESS_LOGGER).build());
        }
        return builder.build();
    }

    private static HttpRouting.Builder routing(Database database, AcceptanceRuns acceptanceRuns, SignalStore signals,
                                               Incidents incidents, KnowledgeBase knowledge, Metrics metrics, AuditLog audit,
                                               Clock clock, Map<String, HttpService> services) {
        HttpRouting.Builder routing = HttpRouting.builder();
        ErrorResponses.install(routing);
        routing.addFilter(new RequestMetricsFilter(metrics.registry()));
        routing.register("/health", new HealthService(database));
        routing.register("/metrics", new MetricsService(metrics.registry()));
        routing.register("/api/audit", new AuditService(audit));
        services.forEach(routing::register);
        routing.register("/",
                new ConsoleService(database, acceptanceRuns, signals, incidents, knowledge, metrics.registry(), clock));
        routing.register("/static", StaticContentFeature.createService(
                ClasspathHandlerConfig.builder().location("console").build()));
        routing.register("/webjars", StaticContentFeature.createService(
                ClasspathHandlerConfig.builder().location("META-INF/resources/webjars").build()));
        routing.any(ErrorResponses::notFound);
        return routing;
    }

    public int port() {
        return server.port();
    }

    public Database database() {
        return database;
    }

    public Gateway gateway() {
        return gateway;
    }

    public AcceptanceRuns acceptanceRuns() {
        return acceptanceRuns;
    }

    private static void closeQuietly(KnowledgeBase knowledge) {
        try {
            knowledge.close();
        } catch (java.io.IOException e) {
            LOG.debug("knowledge index close: {}", e.toString());
        }
    }

    /** The console's address, as a person on this machine would open it. */
    public URI consoleUri(ServerConfig config) {
        String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + "/");
    }

    @Override
    public void close() {
        try {
            watch.shutdownNow();
            server.stop();
        } finally {
            gateway.close();
            closeQuietly(knowledge);
            cordon.ifPresent(NodeCordon::close);
            database.close();
            tracing.close();
            metrics.close();
            LOG.debug("stopped");
        }
    }
}
