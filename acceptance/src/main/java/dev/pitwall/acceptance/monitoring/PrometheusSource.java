package dev.pitwall.acceptance.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.acceptance.monitoring.MonitoringCatalog.Family;
import dev.pitwall.acceptance.monitoring.MonitoringCatalog.Item;
import dev.pitwall.acceptance.monitoring.MonitoringCatalog.Scope;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.metrics.PrometheusSamples;
import dev.pitwall.core.metrics.PrometheusSamples.Sample;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One round of the catalog's series as a Prometheus server holds them now, through its query API
 * ({@code /api/v1/query}), in place of a folder of scrapes: each series' node is its family's node
 * label, else {@code node}, {@code kubernetes_node} or the host of {@code instance}. The query is
 * over the last {@link #LOOK_BACK} of raw samples, so each series comes with the time of its last
 * scrape and a stale one shows as such; a series not scraped within it is missing.
 */
public final class PrometheusSource {

    static final Duration LOOK_BACK = Duration.ofMinutes(5);
    private static final List<String> NODE_LABELS = List.of("node", "kubernetes_node");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final MonitoringCatalog catalog;

    /** @param base the server, such as {@code http://prometheus.monitoring:9090} */
    public PrometheusSource(URI base, MonitoringCatalog catalog) {
        this.base = base;
        this.catalog = catalog;
    }

    /** Queries every catalog series at once; throws naming the server and what it answered. */
    public Scrapes read() throws IOException {
        TreeSet<String> names = new TreeSet<>();
        for (Family family : catalog.families()) {
            for (Item item : family.items()) {
                names.add(item.metric());
                names.addAll(item.anyOf());
            }
        }
        names.add("kube_node_info");
        JsonNode matrix = query("{__name__=~\"" + String.join("|", names) + "\"}[" + LOOK_BACK.toMinutes() + "m]");
        Map<String, Map<String, List<Sample>>> byNode = new TreeMap<>();
        for (JsonNode series : matrix) {
            Map<String, String> labels = labels(series.path("metric"));
            String name = labels.remove("__name__");
            Family family = catalog.familyOf(name).orElse(null);
            if (family == null) {
                continue;
            }
            String node = family.scope() == Scope.CLUSTER ? Scrapes.CLUSTER : nodeOf(family, labels);
            JsonNode last = series.path("values").path(series.path("values").size() - 1);
            double value;
            try {
                value = Double.parseDouble(last.path(1).asText());
            } catch (NumberFormatException e) {
                continue;
            }
            byNode.computeIfAbsent(node, n -> new TreeMap<>()).computeIfAbsent(family.name(), f -> new ArrayList<>())
                    .add(new Sample(name, labels, value, Math.round(last.path(0).asDouble() * 1000)));
        }
        List<Scrapes.Scrape> files = new ArrayList<>();
        byNode.forEach((node, families) -> families.forEach((family, samples) -> files.add(new Scrapes.Scrape(
                Path.of(node, family), node,
                new PrometheusSamples.Exposition(List.copyOf(samples), Map.of(), Map.of())))));
        if (files.isEmpty()) {
            throw new IOException(base + " holds none of the catalog's series: is it the cluster's Prometheus, "
                    + "and does it scrape the exporters?");
        }
        return new Scrapes(Path.of(base.toString()), List.copyOf(files));
    }

    private static String nodeOf(Family family, Map<String, String> labels) {
        if (!family.nodeLabel().isEmpty() && labels.containsKey(family.nodeLabel())) {
            return labels.get(family.nodeLabel());
        }
        for (String label : NODE_LABELS) {
            if (labels.containsKey(label)) {
                return labels.get(label);
            }
        }
        String instance = labels.getOrDefault("instance", "unknown");
        int colon = instance.lastIndexOf(':');
        return colon > 0 ? instance.substring(0, colon) : instance;
    }

    private JsonNode query(String promql) throws IOException {
        URI uri = base.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while querying " + base, e);
        } catch (IOException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getMessage() == null) {
                root = root.getCause();
            }
            throw new IOException(base + " cannot be reached: "
                    + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage()), e);
        }
        JsonNode body = Json.object(response.body().getBytes(StandardCharsets.UTF_8)).map(JsonNode.class::cast)
                .orElse(null);
        if (response.statusCode() != 200 || body == null || !"success".equals(body.path("status").asText())) {
            throw new IOException(base + " answered " + response.statusCode() + " to " + promql + ": "
                    + (body == null ? "not Prometheus's JSON" : body.path("error").asText("no error given")));
        }
        return body.path("data").path("result");
    }

    private static Map<String, String> labels(JsonNode metric) {
        Map<String, String> out = new LinkedHashMap<>();
        metric.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return new TreeMap<>(out);
    }
}
