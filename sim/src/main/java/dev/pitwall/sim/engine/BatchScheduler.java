package dev.pitwall.sim.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Continuous batching in real time. Requests wait in arrival order until the running batch has
 * a free slot and the KV cache has room for their whole footprint (prompt plus answer, known at
 * submission, so no preemption is ever needed); each step then takes the time the
 * {@link LatencyModel} gives and emits one token to every running request.
 */
final class BatchScheduler implements AutoCloseable {

    private final EngineProfile profile;
    private final LatencyModel latency;
    private final EngineMetrics metrics;
    private final Supplier<Faults> faults;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    /** Fair: embeddings calls are served in arrival order. */
    private final ReentrantLock embeddingLock = new ReentrantLock(true);
    private final ArrayDeque<SimRequest> waiting = new ArrayDeque<>();
    private final List<SimRequest> running = new ArrayList<>();
    private final Thread thread;
    private long kvUsed;
    private volatile boolean closed;

    BatchScheduler(EngineProfile profile, EngineMetrics metrics, Supplier<Faults> faults) {
        this.profile = profile;
        this.latency = new LatencyModel(profile);
        this.metrics = metrics;
        this.faults = faults;
        this.thread = Thread.ofPlatform().daemon().name("sim-engine-scheduler").start(this::run);
    }

    void submit(SimRequest request) {
        lock.lock();
        try {
            waiting.add(request);
            metrics.observeBatch(running.size(), waiting.size(), kvFraction());
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        try {
            while (!closed) {
                long admittedPromptTokens = 0;
                List<SimRequest> batch;
                lock.lock();
                try {
                    dropCancelled();
                    while (!waiting.isEmpty() && running.size() < profile.maxRunning()
                            && kvUsed + waiting.peek().kvTokens() <= profile.kvCacheTokens()) {
                        SimRequest admitted = waiting.poll();
                        running.add(admitted);
                        kvUsed += admitted.kvTokens();
                        admittedPromptTokens += admitted.promptTokens;
                        metrics.observe(metrics.queueTime, seconds(System.nanoTime() - admitted.submittedNanos));
                        metrics.count(metrics.promptTokens, admitted.promptTokens);
                    }
                    metrics.observeBatch(running.size(), waiting.size(), kvFraction());
                    if (running.isEmpty()) {
                        arrived.await();
                        continue;
                    }
                    batch = List.copyOf(running);
                } finally {
                    lock.unlock();
                }
                Thread.sleep(latency.step(admittedPromptTokens, batch.size(), faults.get().slowdown()));
                emit(batch);
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void emit(List<SimRequest> batch) {
        long now = System.nanoTime();
        List<SimRequest> finished = new ArrayList<>();
        for (SimRequest request : batch) {
            if (request.cancelled) {
                continue;
            }
            String text = request.output.get(request.produced++);
            boolean last = request.produced == request.output.size();
            metrics.observe(request.produced == 1 ? metrics.timeToFirstToken : metrics.interTokenLatency,
                    seconds(now - (request.produced == 1 ? request.submittedNanos : request.lastTokenNanos)));
            request.lastTokenNanos = now;
            metrics.count(metrics.generationTokens, 1);
            request.emitted.add(new SimRequest.Token(text, last));
            if (last) {
                finished.add(request);
                metrics.observe(metrics.endToEnd, seconds(now - request.submittedNanos));
                metrics.finished(request.finishReason);
            }
        }
        lock.lock();
        try {
            for (SimRequest request : finished) {
                running.remove(request);
                kvUsed -= request.kvTokens();
            }
        } finally {
            lock.unlock();
        }
    }

    private void dropCancelled() {
        running.removeIf(request -> {
            if (request.cancelled) {
                kvUsed -= request.kvTokens();
                metrics.finished("abort");
            }
            return request.cancelled;
        });
        waiting.removeIf(request -> request.cancelled);
    }

    private double kvFraction() {
        return (double) kvUsed / profile.kvCacheTokens();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** Running and waiting requests, for tests and the admin endpoint. */
    int[] load() {
        lock.lock();
        try {
            return new int[] {running.size(), waiting.size()};
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs one embeddings call of {@code tokens} input tokens: calls take the GPU one at a time,
     * each for its fixed cost plus its tokens, so many small calls cost more than one call of
     * all their inputs.
     */
    void embed(long tokens) throws InterruptedException {
        embeddingLock.lockInterruptibly();
        try {
            Thread.sleep(nanosOf(latency.embedding(tokens).toNanos() * faults.get().slowdown()));
        } finally {
            embeddingLock.unlock();
        }
    }

    private static Duration nanosOf(double nanos) {
        return Duration.ofNanos(Math.round(nanos));
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
