package dev.pitwall.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.trainops.action.KubernetesConfig;
import dev.pitwall.trainops.action.NodeCordon;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An operator cordons an incident's suspected node from Pitwall; the Kubernetes API (fabric8's mock server) sees it. */
@EnableKubernetesMockClient(crud = true, https = false)
class CordonActionTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dataDir;

    private static HttpResponse<String> post(Pitwall pitwall, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pitwall.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(Pitwall pitwall, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pitwall.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long xidIncident(Pitwall pitwall) throws Exception {
        post(pitwall, "/api/ingest/logs", "{\"node\":\"gpu-a07\",\"line\":\"NVRM: Xid (PCI:0000:3b:00): 79, pid=1, "
                + "name=python, GPU has fallen off the bus.\"}");
        return Json.mapper().readTree(get(pitwall, "/api/incidents").body()).get(0).path("id").asLong();
    }

    @Test
    void cordonsTheSuspectedNodeAndRecordsIt() throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("gpu-a07").endMetadata().build()).create();
        PitwallConfig config = PitwallConfig.defaults().withDataDir(dataDir).withServer(ServerConfig.defaults().withPort(0))
                .withKubernetes(new KubernetesConfig(true, client.getMasterUrl().toString()));
        try (Pitwall pitwall = Pitwall.start(config, Clock.systemUTC())) {
            long id = xidIncident(pitwall);
            JsonNode incident = Json.mapper().readTree(get(pitwall, "/api/incidents/" + id).body());
            assertThat(incident.path("cordon").path("node").asText()).isEqualTo("gpu-a07");
            assertThat(incident.path("cordon").path("available").asBoolean()).isTrue();
            assertThat(incident.path("recommendedActions").get(0).asText()).contains("drain the node");

            HttpResponse<String> cordoned = post(pitwall, "/api/incidents/" + id + "/cordon", "{\"by\":\"alice\"}");
            assertThat(cordoned.statusCode()).isEqualTo(200);
            assertThat(Json.mapper().readTree(cordoned.body()).path("alreadyCordoned").asBoolean()).isFalse();
            assertThat(client.nodes().withName("gpu-a07").get().getSpec().getUnschedulable()).isTrue();
            assertThat(client.nodes().withName("gpu-a07").get().getMetadata().getAnnotations().get(NodeCordon.ANNOTATION))
                    .startsWith("incident " + id).endsWith("by alice");
            assertThat(get(pitwall, "/api/audit").body()).contains("node.cordon").contains("alice");

            HttpResponse<String> unknown = post(pitwall, "/api/incidents/" + id + "/cordon", "{\"node\":\"gpu-z99\"}");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("the cluster has no node gpu-z99");
        }
    }

    @Test
    void saysHowToTurnItOnWhenKubernetesActionsAreOff() throws Exception {
        try (Pitwall pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(ServerConfig.defaults().withPort(0)), Clock.systemUTC())) {
            long id = xidIncident(pitwall);
            HttpResponse<String> off = post(pitwall, "/api/incidents/" + id + "/cordon", "");
            assertThat(off.statusCode()).isEqualTo(503);
            assertThat(off.body()).contains("kubernetes.enabled: true");
            assertThat(Json.mapper().readTree(get(pitwall, "/api/incidents/" + id).body()).path("cordon").path("available")
                    .asBoolean()).isFalse();
        }
    }
}
