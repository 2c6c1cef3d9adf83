package dev.pitwall.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.json.Json;
import io.helidon.http.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Backends refuse requests in their own words: OpenAI and llama.cpp as
 * {@code {"error":{"message",…}}}, older vLLM as {@code {"object":"error","message",…}}, TGI as
 * {@code {"error":"…","error_type":"…"}}, Ollama as {@code {"error":"…"}}, and some as plain
 * text. Clients of the gateway get OpenAI's shape whichever it was. Failures to reach them come
 * wrapped by the HTTP client.
 */
public final class UpstreamErrors {

    private static final int MAX_TEXT = 500;

    private UpstreamErrors() {
    }

    /** The client wraps socket errors; their first cause says what happened. */
    public static Throwable innermost(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** An exception in words: its type, and its message when it has one. */
    public static String describe(Throwable e) {
        String type = e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + " (" + e.getMessage() + ")";
    }

    /** A timeout as people write it: "30 s", or "500 ms" when it is not whole seconds. */
    public static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** The refusal {@code body} a backend sent with {@code status}, in OpenAI's error shape. */
    public static byte[] asOpenAi(int status, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        JsonNode json;
        try {
            json = Json.mapper().readTree(text);
        } catch (IOException e) {
            json = null;
        }
        if (json != null && json.path("error").isObject() && json.path("error").path("message").isTextual()) {
            return body; // already OpenAI's shape
        }
        String message;
        String param = null;
        String code = null;
        if (json != null && json.path("message").isTextual()) {
            message = json.path("message").asText();
            param = json.path("param").isTextual() ? json.path("param").asText() : null;
            code = json.path("code").isTextual() ? json.path("code").asText() : null;
        } else if (json != null && json.path("error").isTextual()) {
            message = json.path("error").asText();
            code = json.path("error_type").isTextual() ? json.path("error_type").asText() : null;
        } else {
            message = text.isEmpty() ? "the backend refused the request with status " + status
                    : text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "…" : text;
        }
        return ApiError.ofParam(Status.create(status), message, param, code).body();
    }
}
