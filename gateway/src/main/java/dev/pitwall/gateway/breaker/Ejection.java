package dev.pitwall.gateway.breaker;

import java.util.concurrent.atomic.AtomicInteger;

/** One backend's ejection state: its current streak of failed requests, and until when it is left out. */
public final class Ejection {

    private final EjectionPolicy policy;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** When the current ejection ends (System.nanoTime), or null while the backend was never ejected. */
    private volatile Long ejectedUntilNanos;

    public Ejection(EjectionPolicy policy) {
        this.policy = policy;
    }

    /** What a finished attempt said of the backend. */
    public void record(AttemptVerdict verdict, long nowNanos) {
        switch (verdict) {
            case FAILED -> failed(nowNanos);
            case SUCCEEDED -> succeeded();
            case SAYS_NOTHING -> {
            }
        }
    }

    /** A request it answered: the failure streak is over. */
    private void succeeded() {
        consecutiveFailures.set(0);
    }

    /** A request it failed: after the policy's count in a row it is left out for the policy's time. */
    private void failed(long nowNanos) {
        if (consecutiveFailures.incrementAndGet() >= policy.afterFailures()) {
            ejectedUntilNanos = nowNanos + policy.duration().toNanos();
        }
    }

    public boolean ejected(long nowNanos) {
        Long until = ejectedUntilNanos;
        return until != null && nowNanos - until < 0;
    }
}
