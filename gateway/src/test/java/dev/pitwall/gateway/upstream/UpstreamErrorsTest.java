package dev.pitwall.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each engine's way of refusing a request comes out in OpenAI's shape. */
class UpstreamErrorsTest {

    private static JsonNode error(int status, String body) throws Exception {
        return Json.mapper().readTree(UpstreamErrors.asOpenAi(status, body.getBytes(StandardCharsets.UTF_8))).path("error");
    }

    @Test
    void keepsOpenAisShapeAsItIs() throws Exception {
        String body = "{\"error\":{\"message\":\"max_tokens is too large\",\"type\":\"invalid_request_error\","
                + "\"param\":\"max_tokens\",\"code\":null}}";
        assertThat(new String(UpstreamErrors.asOpenAi(400, body.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo(body);
    }

    @Test
    void readsOlderVllmErrors() throws Exception {
        JsonNode e = error(400, "{\"object\":\"error\",\"message\":\"This model's maximum context length is 8192 tokens\","
                + "\"type\":\"BadRequestError\",\"param\":null,\"code\":400}");
        assertThat(e.path("message").asText()).startsWith("This model's maximum context length");
        assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void readsTgiAndOllamaErrors() throws Exception {
        JsonNode tgi = error(422, "{\"error\":\"Input validation error: `inputs` must have less than 4096 tokens\","
                + "\"error_type\":\"validation\"}");
        assertThat(tgi.path("message").asText()).startsWith("Input validation error");
        assertThat(tgi.path("code").asText()).isEqualTo("validation");
        JsonNode ollama = error(404, "{\"error\":\"model \\\"llama9\\\" not found, try pulling it first\"}");
        assertThat(ollama.path("message").asText()).contains("not found");
        assertThat(ollama.path("type").asText()).isEqualTo("not_found_error");
    }

    @Test
    void wrapsPlainText() throws Exception {
        assertThat(error(400, "Bad Request").path("message").asText()).isEqualTo("Bad Request");
        assertThat(error(400, "").path("message").asText()).isEqualTo("the backend refused the request with status 400");
    }
}
