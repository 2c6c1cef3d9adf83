package dev.pitwall.gateway.sli;

/** How a gateway request ended, as SLOs count it. */
public enum Outcome {
    /** Answered in full. */
    SUCCESS("success"),
    /** Refused for the request's own fault (invalid, unknown model, rejected by the backend). */
    CLIENT_ERROR("client_error"),
    /** The tenant's budget was spent (429); the tenant's to pace, not a failure of the service. */
    RATE_LIMITED("rate_limited"),
    /** Every backend of the model was at its limit and the request could not wait (shed with 503). */
    REJECTED("rejected"),
    /** No backend could answer, or the answer broke off. */
    UPSTREAM_ERROR("upstream_error"),
    /** A backend took longer than its timeouts allow. */
    TIMEOUT("timeout"),
    /** The client left before the answer was complete. */
    CLIENT_CANCELLED("client_cancelled");

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Counts against the serving side's SLO: the client did nothing wrong. */
    public boolean serverSideFailure() {
        return this == REJECTED || this == UPSTREAM_ERROR || this == TIMEOUT;
    }
}
