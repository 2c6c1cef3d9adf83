package dev.pitwall.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    private static final String TRIAGE = """
            {"messages":[{"role":"system","content":"You triage {{product}} tickets in at most {{ max_lines }} lines, {{tone}}."}],
             "variables":{"product":{"type":"enum","values":["gpu","storage"]},
                          "max_lines":{"type":"integer","default":3},
                          "tone":{"type":"string","default":"briefly"}}}""";

    @Test
    void rendersVariablesWithTheirDefaults() throws Exception {
        PromptTemplate triage = PromptTemplate.parse("support-triage", 1, json(TRIAGE));
        List<ObjectNode> rendered = triage.render(json("{\"product\":\"gpu\",\"max_lines\":5}"));
        assertThat(rendered).hasSize(1);
        assertThat(rendered.getFirst().path("role").asText()).isEqualTo("system");
        assertThat(rendered.getFirst().path("content").asText())
                .isEqualTo("You triage gpu tickets in at most 5 lines, briefly.");
        assertThat(triage.render(json("{\"product\":\"storage\",\"tone\":\"$1 \\\\ kindly\"}")).getFirst()
                .path("content").asText()).as("values are written as they are, replacement syntax included")
                .isEqualTo("You triage storage tickets in at most 3 lines, $1 \\ kindly.");
    }

    @Test
    void aMissingOrMistypedVariableIsNamed() throws Exception {
        PromptTemplate triage = PromptTemplate.parse("support-triage", 1, json(TRIAGE));
        assertThatThrownBy(() -> triage.render(json("{}"))).isInstanceOfSatisfying(PromptProblem.class, e -> {
            assertThat(e.field()).isEqualTo("prompt.variables.product");
            assertThat(e.getMessage()).contains("needs variable product (enum)");
        });
        assertThatThrownBy(() -> triage.render(json("{\"product\":\"network\"}")))
                .hasMessageContaining("must be one of gpu, storage");
        assertThatThrownBy(() -> triage.render(json("{\"product\":\"gpu\",\"max_lines\":\"5\"}")))
                .isInstanceOfSatisfying(PromptProblem.class, e -> assertThat(e.field())
                        .isEqualTo("prompt.variables.max_lines"));
        assertThatThrownBy(() -> triage.render(json("{\"product\":\"gpu\",\"colour\":\"red\"}")))
                .hasMessageContaining("has no variable colour; it has product, max_lines, tone");
    }

    @Test
    void aTemplateThatUsesAnUndeclaredVariableOrDeclaresOneBadlyIsRefused() {
        assertThatThrownBy(() -> PromptTemplate.parse("p", 1, json(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi {{name}}\"}]}")))
                .isInstanceOfSatisfying(PromptProblem.class, e -> {
                    assertThat(e.field()).isEqualTo("messages[0].content");
                    assertThat(e.getMessage()).contains("{{name}}, which is not declared");
                });
        assertThatThrownBy(() -> PromptTemplate.parse("p", 1, json(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"variables\":{\"n\":{\"type\":\"float\"}}}")))
                .hasMessageContaining("string, integer or enum");
        assertThatThrownBy(() -> PromptTemplate.parse("p", 1, json(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"variables\":{\"n\":{\"type\":\"integer\",\"default\":\"3\"}}}")))
                .hasMessageContaining("variables.n.default must be a whole number");
        assertThatThrownBy(() -> PromptTemplate.parse("p", 1, json(
                "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}"))).hasMessageContaining("messages[0].role");
        assertThatThrownBy(() -> PromptTemplate.parse("p", 1, json("{\"messages\":[]}"))).hasMessageContaining("non-empty");
        assertThatThrownBy(() -> PromptTemplate.parse("Bad Name", 1, json(TRIAGE))).hasMessageContaining("prompt names");
    }
}
