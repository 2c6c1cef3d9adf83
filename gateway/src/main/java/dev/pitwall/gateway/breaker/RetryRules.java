package dev.pitwall.gateway.breaker;

/**
 * When a request goes on to the next backend. Only before the first byte has gone to the client:
 * after it the answer is the client's, and a failure ends the stream with an error event instead.
 */
public final class RetryRules {

    private RetryRules() {
    }

    /**
     * Worth another backend: the backend is failing or overloaded (5xx, 429), not refusing this
     * request (other 4xx, which the client gets as they are).
     */
    public static boolean retryable(int status) {
        return status >= 500 || status == 429;
    }
}
