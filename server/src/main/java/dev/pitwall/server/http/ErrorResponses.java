package dev.pitwall.server.http;

import dev.pitwall.core.http.ApiError;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes every error the server itself produces a JSON {@link ApiError}: unknown routes, requests
 * the HTTP layer rejects before routing (malformed, too large), HTTP exceptions thrown by
 * handlers and unexpected failures. The client never sees a stack trace; the log does.
 */
public final class ErrorResponses {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    private ErrorResponses() {
    }

    /** Error handlers for a routing; call before the routes are added. */
    public static void install(HttpRouting.Builder routing) {
        routing.error(HttpException.class, ErrorResponses::httpException);
        routing.error(Exception.class, ErrorResponses::unexpected);
    }

    /** The last route: whatever nothing else answered. */
    public static void notFound(ServerRequest request, ServerResponse response) {
        ApiError.of(Status.NOT_FOUND_404, "no route for " + request.prologue().method().text() + " "
                + request.path().path()).send(response);
    }

    /** Answers for requests rejected before they reach routing (bad framing, body too large). */
    public static DirectHandlers directHandlers() {
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, ErrorResponses::direct);
        }
        return builder.build();
    }

    private static DirectHandler.TransportResponse direct(DirectHandler.TransportRequest request,
                                                          DirectHandler.EventType type, Status status,
                                                          io.helidon.http.ServerResponseHeaders headers,
                                                          String message) {
        String text = message(status, message);
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .entity(ApiError.of(status, text).body())
                .build();
    }

    private static void httpException(ServerRequest request, ServerResponse response, HttpException e) {
        Status status = e.status();
        if (status.code() >= 500) {
            LOG.error("{} {} failed", request.prologue().method().text(), request.path().path(), e);
        }
        ApiError.of(status, message(status, e.getMessage())).send(response);
    }

    /** What the client is told: the HTTP layer's words, except where Pitwall can say more or must say less. */
    private static String message(Status status, String message) {
        if (status.code() == Status.REQUEST_ENTITY_TOO_LARGE_413_CODE) {
            return "request body is larger than the server's limit (server.max-request-bytes)";
        } else if (status.code() >= 500) {
            return "internal error; the server log has the details";
        }
        return message == null || message.isBlank() ? status.reasonPhrase() : message;
    }

    private static void unexpected(ServerRequest request, ServerResponse response, Exception e) {
        LOG.error("{} {} failed", request.prologue().method().text(), request.path().path(), e);
        ApiError.of(Status.INTERNAL_SERVER_ERROR_500, "internal error; the server log has the details").send(response);
    }
}
