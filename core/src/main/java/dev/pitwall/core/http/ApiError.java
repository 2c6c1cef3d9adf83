package dev.pitwall.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * The JSON error body every Pitwall HTTP API answers with:
 * {@code {"error":{"message":"…","type":"not_found","code":404}}}. It follows the OpenAI error
 * shape so that one client-side error reader works for the gateway and the operations APIs alike.
 * The message is meant for a person and never carries a stack trace.
 */
public record ApiError(Status status, String type, String message) {

    public static ApiError of(Status status, String message) {
        return new ApiError(status, typeOf(status), message);
    }

    /** Sends this error as the response, replacing whatever status was set. */
    public void send(ServerResponse response) {
        response.status(status);
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(body());
    }

    public byte[] body() {
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("code", status.code());
        try {
            return Json.mapper().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body could not be written", e);
        }
    }

    private static String typeOf(Status status) {
        return switch (status.code()) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_exceeded";
            case 503 -> "service_unavailable";
            default -> status.code() >= 500 ? "server_error" : "invalid_request_error";
        };
    }
}
