package dev.pitwall.server.console;

import dev.pitwall.core.storage.Database;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;

/**
 * What the console's overview shows about this Pitwall process, read from the same meters that
 * {@code /metrics} exposes so that the page and Prometheus never disagree.
 */
public record SystemStatus(String version, Instant startedAt, long uptimeSeconds, String storage, boolean storageUp,
                           long requestsServed, double heapUsedBytes, double residentBytes, double liveThreads) {

    static SystemStatus read(String version, Instant startedAt, Instant now, Database database, MeterRegistry registry) {
        long requests = registry.find("http.server.requests").timers().stream().mapToLong(Timer::count).sum();
        double heap = registry.find("jvm.memory.used").tag("area", "heap").gauges().stream()
                .mapToDouble(Gauge::value).sum();
        Gauge rss = registry.find("process.resident.memory").gauge();
        Gauge threads = registry.find("jvm.threads.live").gauge();
        return new SystemStatus(version, startedAt, Duration.between(startedAt, now).toSeconds(),
                database.describe(), database.ping(Duration.ofSeconds(2)), requests, heap,
                rss == null ? Double.NaN : rss.value(), threads == null ? Double.NaN : threads.value());
    }
}
