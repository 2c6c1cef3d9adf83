package dev.pitwall.gateway.admission;

import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A backend's admission: its {@link Limiter} and a bounded queue of requests waiting for a
 * place, ordered by priority, then by arrival. A place that frees goes to the head of the
 * queue; a new request never overtakes one that waits. A request is shed rather than queued when
 * the queue is full of requests of its own priority or higher, or when its wait would pass its
 * deadline; a full queue makes room for a higher-priority request by shedding its youngest,
 * lowest-priority waiter. Memory is bounded by the queue's size whatever the load.
 */
public final class AdmissionQueue {

    /** What a request that asked for a place got. */
    public sealed interface Decision permits Admitted, Shed {
    }

    /** A place, after waiting {@code waitedNanos} for it. */
    public record Admitted(Permit permit, long waitedNanos) implements Decision {
    }

    /** No place: the client should retry after {@code retryAfter}. */
    public record Shed(ShedReason reason, Duration retryAfter) implements Decision {
    }

    /** Why a request was shed; the label is the metric's. */
    public enum ShedReason {
        /** The queue was full of requests of its priority or higher. */
        QUEUE_FULL("queue_full"),
        /** Its wait would have passed, or did pass, its deadline. */
        DEADLINE("deadline"),
        /** It waited, and a higher-priority request took its place in a full queue. */
        OUTRANKED("outranked"),
        /** Its client left while it waited: its place in the queue goes to the next. */
        CLIENT_LEFT("client_left");

        private final String label;

        ShedReason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final Comparator<Waiter> ORDER = Comparator.<Waiter, Priority>comparing(w -> w.priority)
            .thenComparingLong(w -> w.arrival);
    /** How often a waiting request looks whether its client is still there. */
    private static final Duration CLIENT_CHECK = Duration.ofMillis(100);
    /** Weight of the latest hold time in the running mean that estimates waits. */
    private static final double HOLD_SMOOTHING = 0.1;

    private final Limiter limiter;
    private final int capacity;
    private final Duration maxWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final TreeSet<Waiter> waiting = new TreeSet<>(ORDER);
    private final int[] waitingByPriority = new int[Priority.values().length];
    private final Map<ShedReason, LongAdder> shed = new EnumMap<>(ShedReason.class);
    /** Running mean of how long a place is held; 0 until the first is given back (no estimate, no early shedding). */
    private final AtomicLong meanHoldNanos = new AtomicLong();
    private volatile int queued;
    private long arrivals;

    /**
     * @param capacity requests that may wait at once (0: none wait, a full backend sheds at once)
     * @param maxWait  the longest a request waits
     */
    public AdmissionQueue(Limiter limiter, int capacity, Duration maxWait) {
        this.limiter = limiter;
        this.capacity = capacity;
        this.maxWait = maxWait;
        for (ShedReason reason : ShedReason.values()) {
            shed.put(reason, new LongAdder());
        }
    }

    /** A place now, when one is free and nobody waits for it. */
    public Optional<Permit> tryAcquire() {
        if (queued > 0) {
            return Optional.empty();
        }
        return limiter.tryAcquire().map(Held::new);
    }

    /**
     * A place, waiting for it in priority order until {@code arrivedNanos} plus the longest wait,
     * or until {@code clientLeft} says the client is gone.
     *
     * @param arrivedNanos when the request reached the gateway ({@link System#nanoTime()})
     */
    public Decision await(Priority priority, long arrivedNanos, BooleanSupplier clientLeft) {
        long deadline = arrivedNanos + maxWait.toNanos();
        Waiter me;
        lock.lock();
        try {
            if (waiting.isEmpty()) {
                Optional<Permit> free = limiter.tryAcquire();
                if (free.isPresent()) {
                    return new Admitted(new Held(free.get()), System.nanoTime() - arrivedNanos);
                }
            }
            int ahead = 0;
            for (Priority p : Priority.values()) {
                if (p.compareTo(priority) <= 0) {
                    ahead += waitingByPriority[p.ordinal()];
                }
            }
            if (System.nanoTime() + expectedWaitNanos(ahead + 1) - deadline > 0) {
                return shed(ShedReason.DEADLINE);
            }
            if (waiting.size() >= capacity) {
                Waiter last = waiting.isEmpty() ? null : waiting.last();
                if (last == null || last.priority.compareTo(priority) <= 0) {
                    return shed(ShedReason.QUEUE_FULL);
                }
                remove(last);
                last.decision.complete(shed(ShedReason.OUTRANKED));
            }
            me = new Waiter(priority, arrivals++, arrivedNanos);
            waiting.add(me);
            waitingByPriority[priority.ordinal()]++;
            queued = waiting.size();
        } finally {
            lock.unlock();
        }
        return me.awaitUntil(deadline, clientLeft);
    }

    /** Requests waiting now. */
    public int queued() {
        return queued;
    }

    /** Requests shed so far for {@code reason}. */
    public long shedCount(ShedReason reason) {
        return shed.get(reason).sum();
    }

    public Limiter limiter() {
        return limiter;
    }

    /** How long the client should wait before trying again: the time the queue takes to move on. */
    public Duration retryAfter() {
        long nanos = expectedWaitNanos(queued + 1);
        return Duration.ofSeconds(Math.max(1, (long) Math.ceil(nanos / 1e9)));
    }

    /** Time until {@code position} requests ahead have each had a place. */
    private long expectedWaitNanos(int position) {
        return (long) ((double) position * meanHoldNanos.get() / Math.max(1, limiter.limit()));
    }

    private Shed shed(ShedReason reason) {
        shed.get(reason).increment();
        return new Shed(reason, retryAfter());
    }

    private void remove(Waiter waiter) {
        if (waiting.remove(waiter)) {
            waitingByPriority[waiter.priority.ordinal()]--;
            queued = waiting.size();
        }
    }

    /** Gives freed places to the head of the queue, as many as the limiter now allows. */
    private void handOff() {
        if (queued == 0) {
            return;
        }
        lock.lock();
        try {
            while (!waiting.isEmpty()) {
                Optional<Permit> free = limiter.tryAcquire();
                if (free.isEmpty()) {
                    return;
                }
                Waiter next = waiting.first();
                remove(next);
                next.decision.complete(new Admitted(new Held(free.get()), System.nanoTime() - next.arrivedNanos));
            }
        } finally {
            lock.unlock();
        }
    }

    /** A request in the queue; its decision is completed once, by a hand-off, an eviction or its own timeout. */
    private final class Waiter {

        final Priority priority;
        final long arrival;
        final long arrivedNanos;
        final CompletableFuture<Decision> decision = new CompletableFuture<>();

        Waiter(Priority priority, long arrival, long arrivedNanos) {
            this.priority = priority;
            this.arrival = arrival;
            this.arrivedNanos = arrivedNanos;
        }

        /** Waits in slices, so that a client that left is noticed within one. */
        Decision awaitUntil(long deadline, BooleanSupplier clientLeft) {
            try {
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return giveUp(ShedReason.DEADLINE);
                    }
                    try {
                        return decision.get(Math.min(left, CLIENT_CHECK.toNanos()), TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        if (clientLeft.getAsBoolean()) {
                            return giveUp(ShedReason.CLIENT_LEFT);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return giveUp(ShedReason.DEADLINE);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a wait's decision is never completed exceptionally", e);
            }
        }

        /** Leaves the queue, unless a place or an eviction came in just then: that decision stands. */
        private Decision giveUp(ShedReason why) {
            lock.lock();
            try {
                if (waiting.contains(this)) {
                    remove(this);
                    decision.complete(shed(why));
                }
            } finally {
                lock.unlock();
            }
            return decision.join();
        }
    }

    /** A place from the limiter that, once ended, updates the hold-time estimate and passes the place on. */
    private final class Held implements Permit {

        private final Permit inner;
        private final long since = System.nanoTime();

        Held(Permit inner) {
            this.inner = inner;
        }

        @Override
        public void success(long latencyNanos) {
            inner.success(latencyNanos);
            ended();
        }

        @Override
        public void ignore() {
            inner.ignore();
            ended();
        }

        @Override
        public void dropped() {
            inner.dropped();
            ended();
        }

        private void ended() {
            long held = System.nanoTime() - since;
            meanHoldNanos.getAndUpdate(mean -> mean == 0 ? held
                    : (long) (mean * (1 - HOLD_SMOOTHING) + held * HOLD_SMOOTHING));
            handOff();
        }
    }
}
