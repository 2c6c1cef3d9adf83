package dev.pitwall.gateway.sli;

/** How a gateway request ended, as SLOs count it. */
public enum Outcome {
    /** Answered in full. */
    SUCCESS("success"),
    /** Refused for the request's own fault (invalid, unknown model, rejected by the backend). */
    CLIENT_ERROR("client_error"),
    /** Every backend of the model was at its limit. */
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
