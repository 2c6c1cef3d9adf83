package dev.pitwall.server;

import dev.pitwall.acceptance.campaign.CampaignService;
import dev.pitwall.acceptance.campaign.CampaignStore;
import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.store.AcceptanceService;
import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.metrics.Metrics;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.tracing.Tracing;
import dev.pitwall.gateway.Gateway;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.server.console.ConsoleService;
import dev.pitwall.server.http.AuditService;
import dev.pitwall.server.http.ErrorResponses;
import dev.pitwall.server.http.GzipRequestBodies;
import dev.pitwall.server.http.HealthService;
import dev.pitwall.server.http.MetricsService;
import dev.pitwall.server.http.RefusedRequestLines;
import dev.pitwall.server.http.RequestMetricsFilter;
import dev.pitwall.server.http.RouteTable;
import dev.pitwall.trainops.TrainOps;
import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.accesslog.AccessLogFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
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
    /** The longest request line read (method, URL, version), as nginx's default header buffer (8 KB). */
    private static final int MAX_REQUEST_LINE = 8192;

    private final Metrics metrics;
    private final Tracing tracing;
    private final Database database;
    private final Gateway gateway;
    private final TrainOps trainOps;
    private final AcceptanceRuns acceptanceRuns;
    private final WebServer server;

    private Pitwall(Metrics metrics, Tracing tracing, Database database, Gateway gateway, TrainOps trainOps,
                    AcceptanceRuns acceptanceRuns, WebServer server) {
        this.metrics = metrics;
        this.tracing = tracing;
        this.database = database;
        this.gateway = gateway;
        this.trainOps = trainOps;
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
        checkListenable(config.server());
        Metrics metrics = new Metrics();
        Tracing tracing = Tracing.create(config.tracing(), BuildInfo.current().version());
        Database database = null;
        Gateway gateway = null;
        TrainOps trainOps = null;
        try {
            database = PitwallStore.open(config, metrics.registry());
            AuditLog audit = new AuditLog(database, clock);
            AcceptanceRuns acceptanceRuns = new AcceptanceRuns(database, clock);
            gateway = new Gateway(config.gateway(), database, audit, metrics.registry(),
                    tracing.tracer("dev.pitwall.gateway"), clock, System.getenv());
            trainOps = new TrainOps(config.telemetry(), config.kubernetes(), database, audit, metrics.registry(), clock);
            Map<String, HttpService> mounted = new LinkedHashMap<>(services);
            mounted.putAll(gateway.services());
            mounted.put(AcceptanceService.PATH, new AcceptanceService(acceptanceRuns));
            CampaignStore campaigns = new CampaignStore(database);
            mounted.put(CampaignService.PATH, new CampaignService(campaigns));
            mounted.putAll(trainOps.services());
            ConsoleService console = new ConsoleService(database, acceptanceRuns, campaigns, trainOps, gateway, metrics.registry(), clock);
            WebServer server = webServer(config.server(), gateway.connectionListener(),
                    routing(database, metrics, audit, mounted, console)).start();
            if (server.port() < 0) {
                // Helidon logs a listener that failed and carries on without it: taken just now, after the check.
                server.stop();
                throw new IllegalStateException(address(config.server()) + " could not be listened on; the log says why");
            }
            return new Pitwall(metrics, tracing, database, gateway, trainOps, acceptanceRuns, server);
        } catch (RuntimeException e) {
            if (trainOps != null) {
                trainOps.close();
            }
            if (gateway != null) {
                gateway.close();
            }
            if (database != null) {
                database.close();
            }
            tracing.close();
            metrics.close();
            throw e;
        }
    }

    /**
     * Fails with one line when the server's address cannot be listened on (taken by another
     * process, a port below 1024 without the right), before anything else starts.
     */
    private static void checkListenable(ServerConfig config) {
        if (config.port() == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(config.host(), config.port()));
        } catch (BindException e) {
            // The message says it all; the cause would only repeat "Address already in use".
            throw new IllegalStateException(address(config) + (e.getMessage() != null
                    && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("in use")
                    ? " is already in use" : ": " + e.getMessage()));
        } catch (IOException e) {
            throw new IllegalStateException(address(config) + ": " + e.getMessage(), e);
        }
    }

    private static String address(ServerConfig config) {
        return (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + config.port();
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
                // A plain socket keeps one 8 KiB read buffer a connection where Helidon's NIO
                // socket keeps two; with a virtual thread per connection both block the same way.
                .useNio(false)
                // The buffer in front of a streamed response, held for as long as the stream: a
                // token event (a few hundred bytes) fits, larger writes (a metrics scrape's 8 KiB
                // pieces, a file) pass it by; the default 4 KiB came to 40 MiB at 10,000 streams.
                .writeBufferSize(512)
                .addProtocol(Http1Config.builder().maxPrologueLength(MAX_REQUEST_LINE).addReceiveListener(gatewayListener)
                        .build())
                // Other HTTP versions, lines that are not requests and over-long URLs get an answer, not a bare close.
                .addConnectionSelector(new RefusedRequestLines(MAX_REQUEST_LINE))
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

    private static HttpRouting.Builder routing(Database database, Metrics metrics, AuditLog audit,
                                               Map<String, HttpService> services, ConsoleService console) {
        HttpRouting.Builder routing = HttpRouting.builder();
        ErrorResponses.install(routing);
        routing.addFilter(new RequestMetricsFilter(metrics.registry()));
        RouteTable routes = new RouteTable();
        routing.register("/health", routes.recorded("/health", new HealthService(database)));
        routing.register("/metrics", routes.recorded("/metrics", new MetricsService(metrics.registry())));
        routing.register("/api/audit", routes.recorded("/api/audit", new AuditService(audit)));
        services.forEach((path, service) -> routing.register(path, routes.recorded(path, service)));
        routing.register("/", routes.recorded("/", console));
        routing.register("/static", routes.recorded("/static", StaticContentFeature.createService(
                ClasspathHandlerConfig.builder().location("console").build())));
        routing.register("/webjars", routes.recorded("/webjars", StaticContentFeature.createService(
                ClasspathHandlerConfig.builder().location("META-INF/resources/webjars").build())));
        routing.any(routes::unmatched);
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

    public TrainOps trainOps() {
        return trainOps;
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
            server.stop();
        } finally {
            trainOps.close();
            gateway.close();
            database.close();
            tracing.close();
            metrics.close();
            LOG.debug("stopped");
        }
    }
}
