package dev.pitwall.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import io.helidon.http.Status;
import java.util.Optional;

/** The OpenAI endpoints the gateway forwards, with what each requires of a request. */
enum Endpoint {
    CHAT("/chat/completions", true) {
        @Override
        Optional<ApiError> check(ObjectNode body) {
            JsonNode messages = body.path("messages");
            return messages.isArray() && !messages.isEmpty() ? Optional.empty()
                    : Optional.of(invalid("messages must be a non-empty array of messages", "messages"));
        }
    },
    COMPLETIONS("/completions", true) {
        @Override
        Optional<ApiError> check(ObjectNode body) {
            JsonNode prompt = body.path("prompt");
            return prompt.isTextual() || prompt.isArray() ? Optional.empty()
                    : Optional.of(invalid("prompt must be a string or an array", "prompt"));
        }
    },
    EMBEDDINGS("/embeddings", false) {
        @Override
        Optional<ApiError> check(ObjectNode body) {
            JsonNode input = body.path("input");
            return input.isTextual() || input.isArray() && !input.isEmpty() ? Optional.empty()
                    : Optional.of(invalid("input must be a string or a non-empty array", "input"));
        }
    };

    final String path;
    final boolean streams;

    Endpoint(String path, boolean streams) {
        this.path = path;
        this.streams = streams;
    }

    /** What is wrong with the request beyond its model, if anything. */
    abstract Optional<ApiError> check(ObjectNode body);

    static ApiError invalid(String message, String param) {
        return ApiError.ofParam(Status.BAD_REQUEST_400, message, param, null);
    }
}
