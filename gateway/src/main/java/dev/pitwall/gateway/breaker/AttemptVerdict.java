package dev.pitwall.gateway.breaker;

import dev.pitwall.gateway.sli.Outcome;

/** What one attempt at a backend says about the backend's health. */
public enum AttemptVerdict {
    /** It could not serve the request, timed out, or broke off its answer. */
    FAILED,
    /** It served the request (a refusal of the client's request counts: the backend works). */
    SUCCEEDED,
    /** The client left before the backend finished: nothing is known either way. */
    SAYS_NOTHING;

    /**
     * @param served  whether the client got an answer from this backend (else the next one is tried)
     * @param outcome how the client was answered, when it was
     */
    public static AttemptVerdict of(boolean served, Outcome outcome) {
        if (!served || outcome == Outcome.UPSTREAM_ERROR || outcome == Outcome.TIMEOUT) {
            return FAILED;
        }
        return outcome == Outcome.CLIENT_CANCELLED ? SAYS_NOTHING : SUCCEEDED;
    }
}
