package dev.pitwall.gateway.admission;

import java.util.Optional;

/**
 * Decides whether one more request may go to a backend now. A caller that gets a {@link Permit}
 * must end it exactly once, saying how the request went, so that the limiter's count stays true
 * and an adaptive limit learns only from requests that measured the backend.
 */
public interface Limiter {

    /** A permit when the backend may take the request now; empty when it is at its limit. */
    Optional<Permit> tryAcquire();

    /** Requests holding a permit right now. */
    int inFlight();

    /** How many requests may hold a permit at once, as the limiter sees it now. */
    int limit();
}
