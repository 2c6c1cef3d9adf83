package dev.pitwall.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * The JSON error body every Pitwall HTTP API answers with, in OpenAI's error shape so that one
 * client-side reader works for the gateway and the operations APIs alike:
 * {@code {"error":{"message":"…","type":"invalid_request_error","param":"model","code":"model_not_found"}}}.
 * The message is meant for a person and never carries a stack trace.
 *
 * @param param the request field at fault, or null
 * @param code  a stable machine-readable reason, or null
 */
public record ApiError(Status status, String type, String message, String param, String code) {

    public static ApiError of(Status status, String message) {
        return new ApiError(status, typeOf(status), message, null, null);
    }

    /** An error about one field of the request. */
    public static ApiError ofParam(Status status, String message, String param, String code) {
        return new ApiError(status, typeOf(status), message, param, code);
    }

    /** Sends this error as the response, replacing whatever status was set. */
    public void send(ServerResponse response) {
        response.status(status);
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(body());
    }

    public ObjectNode toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root;
    }

    public byte[] body() {
        try {
            return Json.mapper().writeValueAsBytes(toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body could not be written", e);
        }
    }

    /** OpenAI's error types by HTTP status. */
    private static String typeOf(Status status) {
        return switch (status.code()) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            default -> status.code() >= 500 ? "server_error" : "invalid_request_error";
        };
    }
}
