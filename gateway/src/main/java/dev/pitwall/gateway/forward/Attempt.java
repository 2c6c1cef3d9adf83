package dev.pitwall.gateway.forward;

import dev.pitwall.gateway.sli.Outcome;

/**
 * One backend's try at a request: whether the client was answered and how, or, when it was not,
 * why this backend failed (and the next one may be tried).
 */
public record Attempt(boolean served, Outcome outcome, String failure) {

    public static Attempt served(Outcome how) {
        return new Attempt(true, how, null);
    }

    public static Attempt failed(String why) {
        return new Attempt(false, null, why);
    }
}
