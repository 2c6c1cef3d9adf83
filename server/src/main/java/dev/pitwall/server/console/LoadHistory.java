package dev.pitwall.server.console;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The last ten minutes of the overview's load chart (requests served and heap, every two
 * seconds), sampled by the server itself, so that the chart is filled from the start when the
 * page opens rather than only from the page's own polls on.
 */
final class LoadHistory implements AutoCloseable {

    /** One reading: when, requests served so far, heap used. */
    record Sample(long epochMillis, long requestsServed, double heapUsedBytes) {
    }

    static final Duration EVERY = Duration.ofSeconds(2);
    static final int KEPT = 300;

    private final MeterRegistry registry;
    private final Clock clock;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("pitwall-load-history").daemon().factory());

    LoadHistory(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        sampler.scheduleAtFixedRate(this::sample, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    void sample() {
        long requests = registry.find("http.server.requests").timers().stream().mapToLong(Timer::count).sum();
        double heap = registry.find("jvm.memory.used").tag("area", "heap").gauges().stream().mapToDouble(Gauge::value).sum();
        synchronized (samples) {
            samples.addLast(new Sample(clock.millis(), requests, heap));
            while (samples.size() > KEPT) {
                samples.removeFirst();
            }
        }
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
