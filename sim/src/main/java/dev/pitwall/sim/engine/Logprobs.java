package dev.pitwall.sim.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * The log-probabilities a request asked for, and how they are written in OpenAI's two shapes:
 * chat's {@code logprobs: true, top_logprobs: n} answered with {@code {"content":[…]}}, and
 * completions' {@code logprobs: n} answered with {@code tokens}, {@code token_logprobs},
 * {@code top_logprobs} and {@code text_offset}.
 *
 * @param on       whether to return log-probabilities at all
 * @param top      how many alternatives each token lists (the sim knows {@value TextSource#ALTERNATIVES} at most)
 * @param refusal  why the request's parameters are refused, or null
 */
record Logprobs(boolean on, int top, String refusal) {

    private static final Logprobs OFF = new Logprobs(false, 0, null);

    static Logprobs asked(ObjectNode body, boolean chat) {
        if (chat) {
            boolean on = body.path("logprobs").asBoolean(false);
            JsonNode top = body.path("top_logprobs");
            if (top.isMissingNode() || top.isNull()) {
                return on ? new Logprobs(true, 0, null) : OFF;
            }
            if (!top.canConvertToInt() || top.asInt() < 0 || top.asInt() > 20) {
                return new Logprobs(false, 0, "top_logprobs must be a whole number from 0 to 20");
            }
            if (!on) {
                return new Logprobs(false, 0, "top_logprobs needs logprobs: true");
            }
            return new Logprobs(true, Math.min(top.asInt(), TextSource.ALTERNATIVES), null);
        }
        JsonNode n = body.path("logprobs");
        if (n.isMissingNode() || n.isNull()) {
            return OFF;
        }
        if (!n.canConvertToInt() || n.asInt() < 0 || n.asInt() > 5) {
            return new Logprobs(false, 0, "logprobs must be a whole number from 0 to 5");
        }
        return new Logprobs(true, n.asInt(), null);
    }

    /** The log-probabilities of the request's tokens {@code from} (inclusive) to {@code to}, or null when off. */
    JsonNode of(SimRequest request, int from, int to, boolean chat) {
        if (!on) {
            return NullNode.getInstance();
        }
        ObjectNode out = Json.mapper().createObjectNode();
        if (chat) {
            ArrayNode content = out.putArray("content");
            for (int i = from; i < to; i++) {
                TextSource.Logprob lp = request.logprobs.get(i);
                ObjectNode entry = entry(content.addObject(), request.output.get(i), lp.logprob());
                ArrayNode alternatives = entry.putArray("top_logprobs");
                for (int k = 0; k < top; k++) {
                    entry(alternatives.addObject(), lp.alternatives().get(k), lp.alternativeLogprobs().get(k));
                }
            }
            return out;
        }
        ArrayNode tokens = out.putArray("tokens");
        ArrayNode values = out.putArray("token_logprobs");
        ArrayNode tops = out.putArray("top_logprobs");
        ArrayNode offsets = out.putArray("text_offset");
        int offset = 0;
        for (int i = 0; i < from; i++) {
            offset += request.output.get(i).length();
        }
        for (int i = from; i < to; i++) {
            TextSource.Logprob lp = request.logprobs.get(i);
            tokens.add(request.output.get(i));
            values.add(lp.logprob());
            ObjectNode alternatives = tops.addObject();
            for (int k = 0; k < top; k++) {
                alternatives.put(lp.alternatives().get(k), lp.alternativeLogprobs().get(k));
            }
            offsets.add(offset);
            offset += request.output.get(i).length();
        }
        return out;
    }

    private static ObjectNode entry(ObjectNode entry, String token, double logprob) {
        entry.put("token", token).put("logprob", logprob);
        ArrayNode bytes = entry.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return entry;
    }
}
