package dev.pitwall.gateway.budget;

/**
 * What a budget check found; remaining counts are after this request's share was taken.
 *
 * @param deniedBy           null when admitted, else {@code requests} or {@code tokens}: the bucket too empty
 * @param remainingRequests  requests left in the bucket now
 * @param resetRequestsMillis time until the request bucket is full again
 * @param remainingTokens    tokens left in the bucket now
 * @param resetTokensMillis  time until the token bucket is full again
 * @param retryAfterMillis   when denied, time until the request would fit
 */
public record Verdict(String deniedBy, long remainingRequests, long resetRequestsMillis, long remainingTokens,
                      long resetTokensMillis, long retryAfterMillis) {

    public boolean admitted() {
        return deniedBy == null;
    }
}
