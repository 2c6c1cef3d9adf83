package dev.pitwall.gateway.sli;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads what an answer or a streamed chunk says about tokens, for the request's observation. */
public final class UsageMeter {

    private UsageMeter() {
    }

    /** Takes the token counts of an answer or chunk that has them; true when it had them. */
    public static boolean record(JsonNode answer, RequestObservation observation) {
        JsonNode usage = answer.path("usage");
        if (!usage.isObject()) {
            return false;
        }
        observation.usage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0));
        return true;
    }

    /**
     * True when a chunk carries generated tokens: a completion's text, or anything in a chat delta
     * but its role (content, a reasoning model's reasoning, tool calls, a refusal).
     */
    public static boolean carriesOutput(JsonNode chunk) {
        for (JsonNode choice : chunk.path("choices")) {
            if (!choice.path("text").asText("").isEmpty()) {
                return true;
            }
            for (var field : choice.path("delta").properties()) {
                JsonNode value = field.getValue();
                if (!field.getKey().equals("role") && (value.isContainerNode() ? !value.isEmpty() : !value.asText("").isEmpty())) {
                    return true;
                }
            }
        }
        return false;
    }
}
