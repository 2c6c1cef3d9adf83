package dev.pitwall.acceptance.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.metrics.PrometheusSamples.Sample;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The monitoring check reading a Prometheus server's query API on loopback, the server answering
 * with the complete fixture's series as Prometheus stores them (with {@code instance} and
 * {@code job} labels, raw samples and their times).
 */
class PrometheusSourceTest {

    private static final MonitoringCatalog CATALOG = MonitoringCatalog.builtIn();
    private static final long NOW = 1_764_000_000_000L;

    private final AtomicReference<String> query = new AtomicReference<>();
    private WebServer prometheus;

    @AfterEach
    void stop() {
        if (prometheus != null) {
            prometheus.stop();
        }
    }

    @Test
    void aClusterWhosePrometheusHoldsEverySeriesPasses() throws Exception {
        start(complete(), null, 200);
        MonitoringCheck.Result result = new MonitoringCheck(CATALOG, Duration.ofSeconds(15))
                .check(List.of(source().read()));
        assertThat(result.findings()).isEmpty();
        assertThat(result.nodes()).containsExactly("gpu-a01", "gpu-a02");
        assertThat(query.get()).startsWith("{__name__=~\"").contains("DCGM_FI_PROF_SM_ACTIVE", "kube_node_info")
                .endsWith("}[5m]");
    }

    @Test
    void anExporterPrometheusStoppedScrapingIsStale() throws Exception {
        start(complete(), "gpu-a02:9100", 200);
        List<String> stale = new MonitoringCheck(CATALOG, Duration.ofSeconds(15)).check(List.of(source().read()))
                .findings().stream().filter(f -> f.check().equals("monitoring.stale")).map(f -> f.node()).distinct()
                .toList();
        assertThat(stale).containsExactly("gpu-a02");
    }

    @Test
    void aServerThatRefusesOrIsNotThereIsSaidSo() throws Exception {
        start(complete(), null, 400);
        assertThatThrownBy(() -> source().read()).isInstanceOf(IOException.class).hasMessageContaining("answered 400")
                .hasMessageContaining("parse error");
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertThatThrownBy(() -> new PrometheusSource(URI.create("http://127.0.0.1:" + closed), CATALOG).read())
                .isInstanceOf(IOException.class).hasMessageContaining("cannot be reached");
    }

    private PrometheusSource source() {
        return new PrometheusSource(URI.create("http://127.0.0.1:" + prometheus.port()), CATALOG);
    }

    /** A Prometheus answering range-vector queries with {@code scrapes}; the {@code lagging} instance two minutes behind. */
    private void start(Scrapes scrapes, String lagging, int status) {
        prometheus = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false).featuresDiscoverServices(false)
                .routing(HttpRouting.builder().get("/api/v1/query", (req, res) -> {
                    query.set(req.query().get("query"));
                    res.header("Content-Type", "application/json");
                    if (status != 200) {
                        res.status(Status.create(status)).send("{\"status\":\"error\",\"errorType\":\"bad_data\","
                                + "\"error\":\"1:2: parse error: unexpected character\"}");
                        return;
                    }
                    ObjectNode body = Json.mapper().createObjectNode().put("status", "success");
                    ObjectNode data = body.putObject("data").put("resultType", "matrix");
                    ArrayNode result = data.putArray("result");
                    for (Scrapes.Scrape scrape : scrapes.files()) {
                        String file = scrape.file().getFileName().toString();
                        String instance = scrape.clusterWide() ? file.replace(".prom", "") + ":8080"
                                : file.startsWith("node-exporter") ? scrape.node() + ":9100"
                                : file.startsWith("dcgm") ? "10.0.3." + (scrape.node().endsWith("1") ? 11 : 12) + ":9400"
                                : scrape.node() + ":8000";
                        for (Sample s : scrape.exposition().samples()) {
                            ObjectNode series = result.addObject();
                            ObjectNode metric = series.putObject("metric").put("__name__", s.name());
                            s.labels().forEach(metric::put);
                            metric.put("instance", instance).put("job", file.replace(".prom", ""));
                            long last = instance.equals(lagging) ? NOW - 120_000 : NOW;
                            ArrayNode values = series.putArray("values");
                            values.addArray().add((last - 15_000) / 1000.0).add(String.valueOf(s.value()));
                            values.addArray().add(last / 1000.0).add(String.valueOf(s.value()));
                        }
                    }
                    res.send(body.toString());
                }))
                .build().start();
    }

    private static Scrapes complete() throws Exception {
        return Scrapes.read(Path.of(PrometheusSourceTest.class.getResource("/monitoring/complete").toURI()));
    }
}
