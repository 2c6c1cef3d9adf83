package dev.pitwall.gateway.api;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.metrics.Metrics;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageConfig;
import dev.pitwall.gateway.Gateway;
import dev.pitwall.gateway.config.GatewayConfig;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The gateway alone on loopback, as the tests of its request path need it: its tables in SQLite,
 * its routes and its meters at {@code /metrics} on an HTTP server with the settings Pitwall's own
 * uses for it (TCP_NODELAY, the hang-up listener). Nothing of the other modules is started; the
 * end-to-end wiring is tested in {@code server}.
 */
final class GatewayServer implements AutoCloseable {

    private final Metrics metrics = new Metrics();
    private final Database database;
    private final AuditLog audit;
    private final Gateway gateway;
    private final WebServer server;

    GatewayServer(GatewayConfig config, Path dataDir) {
        this(config, StorageConfig.defaults(), dataDir);
    }

    /** With its tables in {@code storage}: replicas given one store share it, as replicas share PostgreSQL. */
    GatewayServer(GatewayConfig config, StorageConfig storage, Path dataDir) {
        database = Database.open(storage, dataDir, metrics.registry());
        database.migrate(AuditLog.MODULE);
        database.migrate(Gateway.MODULE);
        audit = new AuditLog(database, Clock.systemUTC());
        gateway = new Gateway(config, database, audit, metrics.registry(),
                OpenTelemetry.noop().getTracer("test"), Clock.systemUTC(), Map.of());
        HttpRouting.Builder routing = HttpRouting.builder();
        gateway.services().forEach(routing::register);
        routing.get("/metrics", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(metrics.registry().scrape());
        });
        server = WebServer.builder().host("127.0.0.1").port(0).maxPayloadSize(64 * 1024)
                .connectionOptions(socket -> socket.tcpNoDelay(true))
                .addProtocol(Http1Config.builder().addReceiveListener(gateway.connectionListener()).build())
                .shutdownHook(false).featuresDiscoverServices(false)
                .routing(routing).build().start();
    }

    int port() {
        return server.port();
    }

    Gateway gateway() {
        return gateway;
    }

    AuditLog audit() {
        return audit;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            gateway.close();
            database.close();
            metrics.close();
        }
    }
}
