package dev.pitwall.gateway.sli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.core.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which streamed chunks carry tokens: the first of them is the stream's first token (its time to
 * first token, and the end of its first-token deadline), whatever kind of token it is.
 */
class UsageMeterTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            role only, as engines send first       | {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}        | false
            null content                           | {"choices":[{"index":0,"delta":{"content":null},"finish_reason":"stop"}]} | false
            usage only                             | {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}           | false
            text                                   | {"choices":[{"index":0,"delta":{"content":"Hello"}}]}                      | true
            a reasoning model's reasoning          | {"choices":[{"index":0,"delta":{"reasoning_content":"First,"}}]}           | true
            a tool call's arguments                | {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{"}}]}}]} | true
            a refusal                              | {"choices":[{"index":0,"delta":{"refusal":"No."}}]}                    | true
            a completion's text                    | {"choices":[{"index":0,"text":" the"}]}                                     | true
            """)
    void countsEveryKindOfTokenButNotTheRoleOrAnEmptyDelta(String what, String chunk, boolean output) {
        assertThat(UsageMeter.carriesOutput(Json.object(chunk).orElseThrow())).isEqualTo(output);
    }
}
