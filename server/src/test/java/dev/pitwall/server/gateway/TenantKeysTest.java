package dev.pitwall.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tenants call the gateway with their own keys; an admin issues and revokes them. */
class TenantKeysTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String ADMIN_KEY = "admin-key-for-tests-0123456789";

    @TempDir
    Path dataDir;

    private Pitwall pitwall;

    private void start(String adminKey) {
        pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(ServerConfig.defaults().withPort(0))
                .withGateway(GatewayConfig.defaults().withAdminKey(adminKey)), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        if (pitwall != null) {
            pitwall.close();
        }
    }

    private HttpResponse<String> send(String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pitwall.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode error(HttpResponse<String> response) throws Exception {
        return Json.mapper().readTree(response.body()).path("error");
    }

    @Test
    void refusesRequestsWithoutAValidKeyInOpenAisShape() throws Exception {
        start("");
        HttpResponse<String> none = send("GET", "/v1/models", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(error(none).path("type").asText()).isEqualTo("authentication_error");
        assertThat(error(none).path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(error(none).path("message").asText()).startsWith("no API key");

        HttpResponse<String> wrong = send("POST", "/v1/chat/completions", "pw-not-a-real-key", "{}");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(error(wrong).path("message").asText()).isEqualTo("the API key is not valid, or was revoked");
    }

    @Test
    void issuesListsAndRevokesKeysThroughTheAdminApi() throws Exception {
        start(ADMIN_KEY);
        HttpResponse<String> created = send("POST", "/admin/api/keys", ADMIN_KEY, "{\"tenant\":\"team-a\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode issued = Json.mapper().readTree(created.body());
        String secret = issued.path("key").asText();
        assertThat(secret).startsWith("pw-").hasSizeGreaterThan(40);
        assertThat(send("GET", "/v1/models", secret, null).statusCode()).isEqualTo(200);

        JsonNode listed = Json.mapper().readTree(send("GET", "/admin/api/keys", ADMIN_KEY, null).body());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("tenant").asText()).isEqualTo("team-a");
        assertThat(listed.get(0).path("prefix").asText()).isEqualTo(secret.substring(0, 10));
        assertThat(listed.toString()).doesNotContain(secret);
        assertThat(listed.get(0).path("revokedAt").isNull()).as("an active key was never revoked").isTrue();

        assertThat(send("DELETE", "/admin/api/keys/" + issued.path("id").asLong(), ADMIN_KEY, null).statusCode())
                .isEqualTo(204);
        assertThat(send("GET", "/v1/models", secret, null).statusCode()).isEqualTo(401);
        JsonNode revoked = Json.mapper().readTree(send("GET", "/admin/api/keys", ADMIN_KEY, null).body()).get(0);
        assertThat(java.time.Instant.parse(revoked.path("revokedAt").asText())).isAfter(java.time.Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(send("DELETE", "/admin/api/keys/" + issued.path("id").asLong(), ADMIN_KEY, null).statusCode())
                .isEqualTo(404);

        JsonNode audit = Json.mapper().readTree(send("GET", "/api/audit", null, null).body());
        assertThat(audit.findValuesAsText("action")).containsExactly("api-key.revoke", "api-key.create");
        assertThat(audit.toString()).doesNotContain(secret);
    }

    @Test
    void keepsOnlyDigestsOfKeys() throws Exception {
        start(ADMIN_KEY);
        String secret = pitwall.gateway().apiKeys().create("team-b", "test").secret();
        List<String> stored = pitwall.database().jdbi().withHandle(h ->
                h.createQuery("SELECT prefix || ' ' || digest FROM api_key").mapTo(String.class).list());
        assertThat(stored).hasSize(1).noneMatch(row -> row.contains(secret));
        StringBuilder raw = new StringBuilder();
        for (String file : List.of("pitwall.db", "pitwall.db-wal")) {
            raw.append(new String(Files.readAllBytes(dataDir.resolve(file)), StandardCharsets.ISO_8859_1));
        }
        // The files on disk hold the key's prefix (so this looks in the right place) but never the key.
        assertThat(raw.toString()).contains(secret.substring(0, 10)).doesNotContain(secret);
    }

    @Test
    void guardsTheAdminApiWithItsOwnKey() throws Exception {
        start(ADMIN_KEY);
        String tenantKey = pitwall.gateway().apiKeys().create("team-c", "test").secret();
        assertThat(send("GET", "/admin/api/keys", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/admin/api/keys", tenantKey, null).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/admin/api/keys", ADMIN_KEY, "{\"tenant\":\"Bad Name!\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void keepsTheAdminApiOffWithoutAnAdminKey() throws Exception {
        start("");
        HttpResponse<String> off = send("GET", "/admin/api/keys", "anything-at-all-here", null);
        assertThat(off.statusCode()).isEqualTo(403);
        assertThat(error(off).path("message").asText()).contains("gateway.admin-key");
    }
}
