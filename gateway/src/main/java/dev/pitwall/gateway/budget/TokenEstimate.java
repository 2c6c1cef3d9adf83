package dev.pitwall.gateway.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The tokens a request will use, estimated before it is sent, as OpenAI's own limiter does: the
 * prompt's characters over four, plus the completion tokens asked for. The charge is corrected
 * from the usage the backend reports once the answer is done.
 */
public final class TokenEstimate {

    /** Characters per token of English text under the common BPE tokenizers (OpenAI's rule of thumb). */
    private static final int CHARS_PER_TOKEN = 4;

    private TokenEstimate() {
    }

    public static long of(ObjectNode body) {
        long chars = characters(body.path("messages")) + characters(body.path("prompt"))
                + characters(body.path("input"));
        long prompt = (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
        JsonNode max = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.path("max_tokens");
        long completion = max.canConvertToLong() ? Math.max(0, max.asLong()) : 0;
        int choices = body.path("n").canConvertToInt() ? Math.max(1, body.path("n").asInt()) : 1;
        return Math.max(1, prompt + completion * choices);
    }

    /** Characters of text in a prompt, messages or input field, whatever its shape. */
    private static long characters(JsonNode node) {
        if (node.isTextual()) {
            return node.asText().length();
        }
        if (node.isArray()) {
            long sum = 0;
            for (JsonNode item : node) {
                sum += item.isObject() ? characters(item.path("content")) + characters(item.path("text")) : characters(item);
            }
            return sum;
        }
        if (node.isNumber()) {
            return CHARS_PER_TOKEN; // a token id in a pre-tokenized prompt
        }
        return 0;
    }
}
