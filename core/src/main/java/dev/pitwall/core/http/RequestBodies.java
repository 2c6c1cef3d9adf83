package dev.pitwall.core.http;

import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;

/**
 * Request bodies read one way everywhere: a request without a body reads as an empty one, which
 * the handler's own validation then answers with a 400 naming what was expected, instead of
 * the HTTP layer's "no entity" failing the request with a 500.
 */
public final class RequestBodies {

    private RequestBodies() {
    }

    public static byte[] bytes(ServerRequest request) {
        return request.content().hasEntity() ? request.content().as(byte[].class) : new byte[0];
    }

    public static String text(ServerRequest request) {
        return new String(bytes(request), StandardCharsets.UTF_8);
    }
}
