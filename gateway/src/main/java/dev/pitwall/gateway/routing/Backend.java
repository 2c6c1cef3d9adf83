package dev.pitwall.gateway.routing;

import dev.pitwall.gateway.config.BackendConfig;
import java.util.concurrent.atomic.AtomicInteger;

/** A configured backend and the requests the gateway has in flight to it right now. */
public final class Backend {

    private final BackendConfig config;
    private final AtomicInteger inFlight = new AtomicInteger();

    public Backend(BackendConfig config) {
        this.config = config;
    }

    public BackendConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Takes one of the backend's in-flight slots; false when all {@code max-in-flight} are taken. */
    public boolean tryAcquire() {
        int current;
        do {
            current = inFlight.get();
            if (current >= config.maxInFlight()) {
                return false;
            }
        } while (!inFlight.compareAndSet(current, current + 1));
        return true;
    }

    public void release() {
        inFlight.decrementAndGet();
    }

    /** Higher is more attractive: the backend's weight shared among its requests in flight plus this one. */
    double attraction() {
        return config.weight() / (inFlight.get() + 1);
    }
}
