package dev.pitwall.gateway.upstream;

import io.helidon.webclient.api.ClientConnection;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Lets another thread end a request's call to its backend. Closing the connection the call is
 * on is what stops the backend's work (vLLM and its peers abort a request whose client has
 * gone), and it wakes the request's thread, whose read then fails.
 */
public final class Cancellation {

    private final ReentrantLock lock = new ReentrantLock();
    private ClientConnection connection;
    private boolean waiting;
    private boolean streaming;
    private boolean cancelled;

    /** Closes the connection the call is on, if any; calls made after this are closed at once. */
    public void cancel() {
        lock.lock();
        try {
            cancelLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * While a call is on its way, or the request waits for a place at a backend, asks
     * {@code clientLeft} and cancels when it says yes. {@link #release()} and {@link #waited()}
     * wait for a question under way, so the question may read the client's connection: the
     * request's thread does not touch it until then.
     */
    public void cancelIfDuringCall(BooleanSupplier clientLeft) {
        lock.lock();
        try {
            if ((connection != null && !streaming || waiting) && clientLeft.getAsBoolean()) {
                cancelLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private void cancelLocked() {
        cancelled = true;
        if (connection != null) {
            connection.closeResource();
            connection = null;
        }
    }

    /**
     * Closes the connection the call is on without cancelling the request: a deadline passed, and
     * another backend may still be tried.
     */
    public void closeCall() {
        lock.lock();
        try {
            if (connection != null) {
                connection.closeResource();
                connection = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A stream's head is in: its connection stays here, to be closed by {@link #cancel()} or
     * {@link #closeCall()} until {@link #release()}, but the client is no longer looked at. The
     * relay writes to it from here on, and a write that fails tells that it left.
     */
    public void streaming() {
        lock.lock();
        try {
            streaming = true;
        } finally {
            lock.unlock();
        }
    }

    /** The request starts waiting for a place at a backend: the client may be looked at meanwhile. */
    public void waiting() {
        lock.lock();
        try {
            waiting = true;
        } finally {
            lock.unlock();
        }
    }

    /** The wait is over (a place, or none): the request's thread has the client's connection again. */
    public void waited() {
        lock.lock();
        try {
            waiting = false;
        } finally {
            lock.unlock();
        }
    }

    public boolean cancelled() {
        lock.lock();
        try {
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The answer is in hand or given up: from here on its connection may go back to the pool,
     * where closing it would break another request's call.
     */
    public void release() {
        lock.lock();
        try {
            connection = null;
            streaming = false;
        } finally {
            lock.unlock();
        }
    }

    void attach(ClientConnection call) {
        lock.lock();
        try {
            if (cancelled) {
                call.closeResource();
            } else {
                connection = call;
            }
        } finally {
            lock.unlock();
        }
    }
}
