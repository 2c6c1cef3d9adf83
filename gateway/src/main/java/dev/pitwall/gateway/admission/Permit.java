package dev.pitwall.gateway.admission;

/**
 * One admitted request's place at a backend; ended by exactly one of its three methods.
 * Modelled on Netflix concurrency-limits' {@code Limiter.Listener}: the distinction matters to
 * an adaptive limit, which measures the backend's latency on successes, takes drops as a sign of
 * overload, and ignores the rest so as not to learn an artificially low or high latency.
 */
public interface Permit {

    /**
     * The backend answered (an answer refusing the request included): its latency is worth
     * learning from.
     *
     * @param latencyNanos how long the backend took to start answering: the first token of a
     *                     stream, the whole answer otherwise (answer lengths vary too much for
     *                     a stream's full duration to say anything of the backend's load)
     */
    void success(long latencyNanos);

    /** The request ended for reasons that say nothing of the backend's capacity (the client left). */
    void ignore();

    /** The backend failed, timed out or shed the request: a sign that it is overloaded. */
    void dropped();
}
