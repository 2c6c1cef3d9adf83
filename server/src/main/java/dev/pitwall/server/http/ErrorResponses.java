package dev.pitwall.server.http;

import dev.pitwall.core.http.ApiError;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes every error the server itself produces a JSON {@link ApiError}: unknown routes, requests
 * the HTTP layer rejects before routing (malformed, too large), HTTP exceptions thrown by
 * handlers and unexpected failures. The client never sees a stack trace; the log does.
 */
public final class ErrorResponses {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
    /** A request line over what the server reads, however it was found out. */
    static final String REQUEST_LINE_TOO_LONG = "the request line (method, URL, version) is longer than the server reads: "
            + "shorten the URL";

    private ErrorResponses() {
    }

    /** Error handlers for a routing; call before the routes are added. */
    public static void install(HttpRouting.Builder routing) {
        routing.error(HttpException.class, ErrorResponses::httpException);
        routing.error(Exception.class, ErrorResponses::unexpected);
    }

    /** The last route: whatever nothing else answered. */
    static void notFound(ServerRequest request, ServerResponse response) {
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
        String text = unsupportedEncoding(status, request).orElseGet(() -> message(status, message));
        LOG.info("refused {}: {} {}", request.method().isEmpty() ? "a request" : request.method() + " " + request.path(),
                status.code(), text);
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .entity(ApiError.of(status, text).body())
                .build();
    }

    /** The HTTP layer refuses a body in an encoding it cannot decode with a bare 400: say which and what it takes. */
    private static Optional<String> unsupportedEncoding(Status status, DirectHandler.TransportRequest request) {
        if (status.code() != Status.BAD_REQUEST_400_CODE) {
            return Optional.empty();
        }
        return request.headers().first(HeaderNames.CONTENT_ENCODING)
                .filter(encoding -> !Set.of("gzip", "x-gzip", "identity").contains(encoding.strip().toLowerCase(Locale.ROOT)))
                .map(encoding -> "Content-Encoding " + encoding + " is not supported: send the body as it is, or gzip it "
                        + "(Content-Encoding: gzip)");
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
        } else if (status.code() == Status.REQUEST_URI_TOO_LONG_414_CODE) {
            return REQUEST_LINE_TOO_LONG;
        } else if (status.code() >= 500) {
            return "internal error; the server log has the details";
        }
        return message == null || message.isBlank() ? status.reasonPhrase() : message;
    }

    private static void unexpected(ServerRequest request, ServerResponse response, Exception e) {
        if (brokenBody(e)) {
            String text = "the request body is cut off or its chunked encoding is malformed: send the whole body, "
                    + "with Content-Length or well-formed chunks";
            LOG.info("refused {} {}: 400 {}", request.prologue().method().text(), request.path().path(), text);
            ApiError.of(Status.BAD_REQUEST_400, text).send(response);
            return;
        }
        LOG.error("{} {} failed", request.prologue().method().text(), request.path().path(), e);
        ApiError.of(Status.INTERNAL_SERVER_ERROR_500, "internal error; the server log has the details").send(response);
    }

    /**
     * Whether reading the request's body failed in the HTTP layer's framing: a body that ends
     * before its length or last chunk, or a chunk size that is not hexadecimal. Helidon throws
     * these from wherever the handler reads, as unchecked exceptions of no HTTP status; they are
     * the client's to fix, not the server's failure.
     */
    private static boolean brokenBody(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataReader.InsufficientDataAvailableException) {
                return true;
            }
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().equals("io.helidon.webserver.http1.Http1Connection")
                        && frame.getMethodName().equals("readNextChunk")) {
                    return true;
                }
            }
        }
        return false;
    }
}
