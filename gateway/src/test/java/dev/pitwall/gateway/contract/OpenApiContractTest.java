package dev.pitwall.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the gateway's OpenAPI document accepts, and how it names what it does not. */
class OpenApiContractTest {

    private final OpenApiContract contract = new OpenApiContract();

    private Optional<OpenApiContract.Violation> check(String schema, String json) throws Exception {
        JsonNode node = Json.mapper().readTree(json);
        return contract.check(schema, node);
    }

    @Test
    void acceptsWhatOpenAiClientsSend() throws Exception {
        assertThat(check("ChatCompletionRequest", """
                {"model":"m","messages":[{"role":"system","content":"be brief"},
                 {"role":"user","content":[{"type":"text","text":"hi"}]}],
                 "stream":true,"stream_options":{"include_usage":true},"max_tokens":5,"temperature":0.2,
                 "stop":["\\n"],"top_k":40,"guided_json":{"type":"object"}}""")).isEmpty();
        assertThat(check("CompletionRequest", "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"],\"max_tokens\":0}")).isEmpty();
        assertThat(check("EmbeddingRequest", "{\"model\":\"m\",\"input\":[[1,2,3]]}")).isEmpty();
    }

    /** The contract's first use in a JVM, where the validator would warn of keywords it does not know. */
    public static final class FirstUse {
        public static void main(String[] args) throws Exception {
            OpenApiContract contract = new OpenApiContract();
            contract.check("ChatCompletionRequest", Json.mapper().readTree(
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
            System.out.println(contract.check("EmbeddingRequest", Json.mapper().readTree("{\"model\":\"m\"}"))
                    .map(OpenApiContract.Violation::message).orElse("accepted"));
        }
    }

    @Test
    void loadsItsSchemasWithoutWarningsAUserCannotActOn() throws Exception {
        Process child = ChildJvm.command(FirstUse.class, List.of()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor()).isZero();
        assertThat(output).as("it validated").contains("input").doesNotContain("WARN").doesNotContain("Unknown keyword");
    }

    @Test
    void namesTheMissingField() throws Exception {
        OpenApiContract.Violation v = check("ChatCompletionRequest", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .orElseThrow();
        assertThat(v.param()).isEqualTo("model");
        assertThat(v.message()).contains("model");
    }

    @Test
    void namesTheDeepestFieldAtFault() throws Exception {
        OpenApiContract.Violation role = check("ChatCompletionRequest",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}").orElseThrow();
        assertThat(role.param()).isEqualTo("messages[0].role");
        assertThat(role.message()).startsWith("messages[0].role: ");

        OpenApiContract.Violation temperature = check("ChatCompletionRequest",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":3}").orElseThrow();
        assertThat(temperature.param()).isEqualTo("temperature");

        OpenApiContract.Violation empty = check("ChatCompletionRequest", "{\"model\":\"m\",\"messages\":[]}").orElseThrow();
        assertThat(empty.param()).isEqualTo("messages");

        OpenApiContract.Violation input = check("EmbeddingRequest", "{\"model\":\"m\",\"input\":{}}").orElseThrow();
        assertThat(input.param()).isEqualTo("input");
    }

    @Test
    void describesResponsesToo() throws Exception {
        assertThat(check("ErrorResponse", "{\"error\":{\"message\":\"x\",\"type\":\"t\",\"param\":null,\"code\":null}}"))
                .isEmpty();
        assertThat(check("ChatCompletionChunk", "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"m\",\"choices\":[]}")).hasValueSatisfying(v -> assertThat(v.param()).isEqualTo("object"));
    }
}
