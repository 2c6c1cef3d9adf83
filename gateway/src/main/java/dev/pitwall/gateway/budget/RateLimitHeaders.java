package dev.pitwall.gateway.budget;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * OpenAI's rate-limit response headers (platform.openai.com/docs/guides/rate-limits), so that
 * clients which already read them from OpenAI read Pitwall's the same way.
 */
public final class RateLimitHeaders {

    public static final HeaderName LIMIT_REQUESTS = HeaderNames.create("x-ratelimit-limit-requests");
    public static final HeaderName REMAINING_REQUESTS = HeaderNames.create("x-ratelimit-remaining-requests");
    public static final HeaderName RESET_REQUESTS = HeaderNames.create("x-ratelimit-reset-requests");
    public static final HeaderName LIMIT_TOKENS = HeaderNames.create("x-ratelimit-limit-tokens");
    public static final HeaderName REMAINING_TOKENS = HeaderNames.create("x-ratelimit-remaining-tokens");
    public static final HeaderName RESET_TOKENS = HeaderNames.create("x-ratelimit-reset-tokens");

    private RateLimitHeaders() {
    }

    /** A time as OpenAI writes its resets: {@code 20ms}, {@code 1.5s}, {@code 6m0s}. */
    public static String duration(long millis) {
        if (millis < 1000) {
            return Math.max(0, millis) + "ms";
        }
        if (millis < 60_000) {
            String seconds = String.format(java.util.Locale.ROOT, "%.3f", millis / 1000.0)
                    .replaceAll("0+$", "").replaceAll("\\.$", "");
            return seconds + "s";
        }
        long totalSeconds = millis / 1000;
        return totalSeconds / 60 + "m" + totalSeconds % 60 + "s";
    }
}
