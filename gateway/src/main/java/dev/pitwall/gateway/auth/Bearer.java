package dev.pitwall.gateway.auth;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;

/** The token of an {@code Authorization: Bearer …} header. */
final class Bearer {

    private Bearer() {
    }

    static Optional<String> of(ServerRequest req) {
        return req.headers().first(HeaderNames.AUTHORIZATION)
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).strip());
    }
}
