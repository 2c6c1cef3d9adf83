package dev.pitwall.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.config.GatewayConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompts from a git-ops folder laid out as Kubernetes mounts a ConfigMap: each file a symlink
 * through {@code ..data}, which an update swaps for a new timestamped folder in one rename.
 */
class PromptFolderTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String ADMIN_KEY = "admin-key-for-the-tests";
    private static final String V1 = """
              - messages: [{role: system, content: "You triage {{product}} tickets."}]
                variables: {product: {type: enum, values: [gpu, storage]}}
            """;
    private static final String V2 = """
              - messages: [{role: system, content: "You triage {{product}} tickets, kindly."}]
                variables: {product: {type: enum, values: [gpu, storage]}}
            """;

    @TempDir
    Path dataDir;
    @TempDir
    Path mount;

    private GatewayServer server;
    private int generation;

    @AfterEach
    void stop() {
        server.close();
    }

    /** Writes a new generation of the ConfigMap and swaps {@code ..data} to it, as the kubelet does. */
    private void publish(String text) throws Exception {
        Path generationDir = mount.resolve("..2026_12_02_00_00_0" + generation++);
        Files.createDirectories(generationDir);
        Files.writeString(generationDir.resolve("support-triage.yaml"), text);
        Path next = mount.resolve("..data_tmp");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, generationDir.getFileName());
        Files.move(next, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path file = mount.resolve("support-triage.yaml");
        if (!Files.isSymbolicLink(file)) {
            Files.createSymbolicLink(file, Path.of("..data", "support-triage.yaml"));
        }
    }

    private JsonNode admin(String path) throws Exception {
        return Json.mapper().readTree(CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/admin/api/prompts" + path))
                .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private int production() throws Exception {
        return admin("/support-triage/labels").path("production").asInt();
    }

    @Test
    void appliesTheFolderAtStartAndEachSwapWithinASecondAndNeverABrokenFile() throws Exception {
        publish("versions:\n" + V1 + "labels: {production: 1}\n");
        server = new GatewayServer(GatewayConfig.defaults().withAdminKey(ADMIN_KEY).withPromptsDir(mount.toString()),
                dataDir);
        assertThat(production()).as("applied at start").isEqualTo(1);

        publish("versions:\n" + V1 + V2 + "labels: {production: 2, canary: 2}\n"
                + "rollout: {split: {production: 90, canary: 10}}\n");
        await().atMost(Duration.ofSeconds(1)).until(() -> production() == 2);
        assertThat(admin("/support-triage/rollout").path("split").path("canary").asInt()).isEqualTo(10);
        assertThat(admin("/support-triage/history").get(0).path("reason").asText())
                .isEqualTo("set in file support-triage.yaml");

        // Version 1 rewritten: versions never change, so the file is refused and nothing moves.
        publish("versions:\n" + V2 + V2 + "labels: {production: 1}\n");
        await().atMost(Duration.ofSeconds(1)).until(() -> !admin("/files").get(0).path("applied").asBoolean());
        JsonNode refused = admin("/files").get(0);
        assertThat(refused.path("problem").asText()).contains("version 1 differs from the stored one");
        assertThat(production()).as("the last good version keeps serving").isEqualTo(2);

        publish("versions:\n  - messages: [{role: system, content: \"Hello {{who}}\"}]\nlabels: {production: 1}\n");
        await().atMost(Duration.ofSeconds(1)).until(() -> admin("/files").get(0).path("problem").asText()
                .contains("{{who}}, which is not declared"));
        assertThat(production()).isEqualTo(2);
        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("pitwall_gateway_prompt_file_refusals_total 2.0")
                .contains("pitwall_gateway_prompt_files_refused 1.0");

        publish("versions:\n" + V1 + V2 + "labels: {production: 1, canary: 2}\n");
        await().atMost(Duration.ofSeconds(1)).until(() -> admin("/files").get(0).path("applied").asBoolean());
        assertThat(production()).isEqualTo(1);
    }
}
