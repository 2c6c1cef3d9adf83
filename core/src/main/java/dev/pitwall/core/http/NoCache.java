package dev.pitwall.core.http;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;

/**
 * {@code Cache-Control: no-cache} as one header line, for answers that change from one request to
 * the next (health, status, streams). Helidon's {@code HeaderValues.CACHE_NO_CACHE} writes four
 * lines, which some proxies and SSE clients read as a malformed response.
 */
public final class NoCache {

    public static final Header HEADER = HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache");

    private NoCache() {
    }
}
