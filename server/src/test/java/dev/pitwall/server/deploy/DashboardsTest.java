package dev.pitwall.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.budget.TenantBudget;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.prompt.PromptRegistry;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.SimEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboards in {@code deploy/grafana}: importable (schema 39 or newer, a data-source
 * variable, unique ids, JSON without duplicate keys), every panel with a title, a unit and
 * queries over metrics in the catalog kept beside them, every variable a query uses defined;
 * and the catalog's Pitwall metrics are what a running Pitwall exposes.
 */
class DashboardsTest {

    private static final Path GRAFANA = Path.of("..", "deploy", "grafana");
    private static final Set<String> BUILT_IN_VARIABLES = Set.of("__rate_interval", "__interval", "__range");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)(?::\\w+)?}?");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private final ObjectMapper strictJson = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    @Test
    void everyDashboardIsImportableWithADataSourceVariable() throws Exception {
        List<Path> files = dashboards();
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("pitwall-gateway-slos.json",
                "pitwall-llm-engines.json", "pitwall-gpu-fleet.json", "pitwall-training-reliability.json");
        Set<String> uids = new HashSet<>();
        for (Path file : files) {
            JsonNode board = strictJson.readTree(file.toFile());
            assertThat(strictJson.readTree(strictJson.writeValueAsString(board))).as("%s round-trips", file).isEqualTo(board);
            assertThat(board.path("schemaVersion").asInt()).as("%s schemaVersion", file).isGreaterThanOrEqualTo(39);
            assertThat(board.path("title").asText()).as("%s title", file).isNotBlank();
            assertThat(uids.add(board.path("uid").asText())).as("%s has a uid of its own", file).isTrue();
            assertThat(board.path("id").isMissingNode() || board.path("id").isNull()).as("%s carries no instance id", file)
                    .isTrue();
            JsonNode datasource = variables(board).stream().filter(v -> v.path("type").asText().equals("datasource"))
                    .findFirst().orElse(null);
            assertThat(datasource).as("%s has a data-source variable", file).isNotNull();
            assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : panels(board)) {
                assertThat(ids.add(panel.path("id").asInt())).as("%s: panel id %s once", file, panel.path("id")).isTrue();
            }
        }
    }

    @Test
    void everyPanelHasATitleAUnitAndQueriesOverCatalogedMetricsThroughTheVariable() throws Exception {
        Set<String> catalog = catalogNames();
        int queries = 0;
        for (Path file : dashboards()) {
            JsonNode board = strictJson.readTree(file.toFile());
            for (JsonNode panel : panels(board)) {
                if (panel.path("type").asText().equals("row")) {
                    continue;
                }
                String where = file.getFileName() + ": panel " + panel.path("id") + " " + panel.path("title");
                assertThat(panel.path("title").asText()).as(where).isNotBlank();
                assertThat(panel.path("fieldConfig").path("defaults").path("unit").asText()).as("%s unit", where)
                        .isNotBlank();
                assertThat(panel.path("datasource").path("uid").asText()).as("%s data source", where)
                        .isEqualTo("${datasource}");
                assertThat(panel.path("targets")).as("%s queries", where).isNotEmpty();
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.path("expr").asText();
                    assertThat(expr).as(where).isNotBlank();
                    assertThat(metricNames(expr)).as("%s: %s", where, expr).isNotEmpty().allSatisfy(name ->
                            assertThat(catalog).as("%s names %s", where, name).contains(name));
                    queries++;
                }
            }
        }
        assertThat(queries).isGreaterThan(60);
    }

    @Test
    void everyVariableAQueryUsesIsDefinedOnItsDashboard() throws Exception {
        for (Path file : dashboards()) {
            JsonNode board = strictJson.readTree(file.toFile());
            Set<String> defined = new HashSet<>(BUILT_IN_VARIABLES);
            variables(board).forEach(v -> defined.add(v.path("name").asText()));
            List<String> uses = new ArrayList<>();
            for (JsonNode panel : panels(board)) {
                uses.add(panel.path("datasource").path("uid").asText());
                panel.path("targets").forEach(t -> uses.add(t.path("expr").asText()));
            }
            variables(board).forEach(v -> uses.add(v.path("definition").asText() + v.path("datasource").path("uid").asText()));
            for (String use : uses) {
                Matcher m = VARIABLE.matcher(use);
                while (m.find()) {
                    assertThat(defined).as("%s uses $%s", file.getFileName(), m.group(1)).contains(m.group(1));
                }
            }
        }
    }

    @Test
    void theMetricNamesOfAQueryAreFoundAndItsFunctionsLabelsAndVariablesAreNot() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, model) (rate(vllm:e2e_request_latency_seconds_bucket"
                + "{model_name=~\"$model_name\", le!=\"+Inf\"}[$__rate_interval]))) or up * 1e6"))
                .containsExactlyInAnyOrder("vllm:e2e_request_latency_seconds_bucket", "up");
        assertThat(metricNames("max by (Hostname, gpu) (DCGM_FI_DEV_XID_ERRORS{gpu=~\"$gpu\"}) > 0"))
                .containsExactly("DCGM_FI_DEV_XID_ERRORS");
    }

    @Test
    void theCatalogsSloEntriesAreWhatTheRulesRecord() throws Exception {
        String rules = Files.readString(Path.of("..", "deploy", "prometheus", "pitwall-slos.rules.yml"));
        for (JsonNode entry : catalog().path("slo-rules")) {
            String name = entry.path("name").asText();
            if (!name.equals("ALERTS")) {
                assertThat(rules).as("the rules record %s", name).contains("record: " + name + "\n");
            }
        }
    }

    @Test
    void theCatalogsPitwallMetricsAreOnARunningPitwallsMetrics(@TempDir Path dataDir) throws Exception {
        EngineProfile profile = EngineProfile.load("h100-llama3-8b");
        try (SimEngine engine = SimEngine.start(profile, 7, "127.0.0.1", 0);
             Pitwall pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                     .withServer(ServerConfig.defaults().withPort(0))
                     .withGateway(GatewayConfig.defaults()
                             .withTenants(List.of(new TenantBudget("limited", 1L, null, null, null)))
                             .withBackends(List.of(BackendConfig.of("sim", engine.baseUrl().toString(), BackendKind.VLLM,
                                     List.of(profile.model(), profile.embeddingModel()), Map.of())))),
                     Clock.systemUTC())) {
            String key = pitwall.gateway().apiKeys().create("team-a", "test").secret();
            String limited = pitwall.gateway().apiKeys().create("limited", "test").secret();
            PromptRegistry prompts = pitwall.gateway().prompts();
            prompts.createVersion("triage", Json.object("{\"messages\":[{\"role\":\"system\",\"content\":\"Triage.\"}]}")
                    .orElseThrow(), "test");
            prompts.moveLabel("triage", "production", 1, "test", "first");
            String chat = "{\"model\":\"" + profile.model() + "\",\"stream\":true,\"max_tokens\":8,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
            assertThat(post(pitwall, "/v1/chat/completions", key, chat + "}").statusCode()).isEqualTo(200);
            assertThat(post(pitwall, "/v1/chat/completions", key, chat + ",\"prompt\":{\"name\":\"triage\"}}")
                    .statusCode()).isEqualTo(200);
            assertThat(post(pitwall, "/v1/embeddings", key, "{\"model\":\"" + profile.embeddingModel()
                    + "\",\"input\":[\"a\",\"b\"]}").statusCode()).isEqualTo(200);
            assertThat(post(pitwall, "/v1/chat/completions", limited, chat + "}").statusCode()).isEqualTo(200);
            assertThat(post(pitwall, "/v1/chat/completions", limited, chat + "}").statusCode()).isEqualTo(429);
            assertThat(post(pitwall, "/api/ingest/logs", null, "{\"node\":\"gpu-a07\",\"source\":\"kernel\",\"line\":"
                    + "\"NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, name=python, GPU has fallen off the bus.\"}")
                    .statusCode()).isEqualTo(200);
            String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + pitwall.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String sources = mainSources();
            for (JsonNode entry : catalog().path("pitwall")) {
                String name = entry.path("name").asText();
                String series = switch (entry.path("type").asText()) {
                    case "histogram" -> name + "_bucket";
                    case "summary" -> name + "_count";
                    default -> name;
                };
                if (entry.has("when")) {
                    String dotted = name.replaceAll("_(total|seconds)$", "").replace('_', '.');
                    assertThat(sources).as("the code registers %s (%s)", name, entry.path("when").asText())
                            .contains("\"" + dotted + "\"");
                } else {
                    assertThat(scrape).as("/metrics has %s", series).containsPattern("(?m)^" + Pattern.quote(series) + "[{ ]");
                }
            }
            assertThat(scrape).containsPattern("(?m)^pitwall_incidents_open\\{severity=\"critical\"} 1\\.0$");
            assertThat(scrape).containsPattern("(?m)^pitwall_reliability_failures 1\\.0$");
        }
    }

    private static HttpResponse<String> post(Pitwall pitwall, String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pitwall.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or variables. */
    static Set<String> metricNames(String expr) {
        String bare = STRING.matcher(expr).replaceAll("\"\"");
        bare = VARIABLE.matcher(bare).replaceAll(" ");
        bare = bare.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        bare = GROUPING.matcher(bare).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String word = m.group();
            boolean function = bare.substring(m.end()).stripLeading().startsWith("(");
            boolean number = m.start() > 0 && Character.isDigit(bare.charAt(m.start() - 1));
            if (!function && !number && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }

    /** Every series name the catalog allows: histograms with their _bucket, _sum and _count, summaries with _sum, _count and _max. */
    private Set<String> catalogNames() throws Exception {
        Set<String> names = new HashSet<>();
        catalog().properties().forEach(source -> source.getValue().forEach(entry -> {
            String name = entry.path("name").asText();
            if (entry.path("type").asText().equals("histogram")) {
                Stream.of("_bucket", "_sum", "_count").forEach(suffix -> names.add(name + suffix));
            } else if (entry.path("type").asText().equals("summary")) {
                Stream.of("_sum", "_count", "_max").forEach(suffix -> names.add(name + suffix));
            } else {
                names.add(name);
            }
        }));
        return names;
    }

    private static JsonNode catalog() throws Exception {
        return new YAMLMapper().readTree(GRAFANA.resolve("metrics-catalog.yaml").toFile());
    }

    private static List<JsonNode> variables(JsonNode board) {
        List<JsonNode> out = new ArrayList<>();
        board.path("templating").path("list").forEach(out::add);
        return out;
    }

    /** Every panel, those inside rows included. */
    private static List<JsonNode> panels(JsonNode board) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : board.path("panels")) {
            out.add(panel);
            panel.path("panels").forEach(out::add);
        }
        return out;
    }

    private static List<Path> dashboards() throws Exception {
        try (Stream<Path> files = Files.list(GRAFANA)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    private static String mainSources() throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(Path.of(".."))) {
            for (Path p : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/")).toList()) {
                all.append(Files.readString(p));
            }
        }
        return all.toString();
    }
}
