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

    /** True when a chunk carries generated text (chat delta or completion text). */
    public static boolean carriesOutput(JsonNode chunk) {
        for (JsonNode choice : chunk.path("choices")) {
            if (!choice.path("delta").path("content").asText("").isEmpty() || !choice.path("text").asText("").isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
