package dev.pitwall.core.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.OptionalInt;

/** The {@code ?limit=N} of the APIs that list the newest records: 100 unless given, at most 1000. */
public final class ListLimit {

    public static final int DEFAULT = 100;
    public static final int MAX = 1000;

    private ListLimit() {
    }

    /**
     * The request's limit, or empty after answering 400 with the value found when it is not a
     * whole number from 1 to {@link #MAX}.
     */
    public static OptionalInt of(ServerRequest request, ServerResponse response) {
        String raw = request.query().first("limit").orElse(Integer.toString(DEFAULT));
        int limit;
        try {
            limit = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "limit must be a whole number from 1 to " + MAX
                    + ", found \"" + raw + "\"", "limit", null).send(response);
            return OptionalInt.empty();
        }
        return OptionalInt.of(limit);
    }
}
