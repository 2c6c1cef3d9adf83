package dev.pitwall.gateway.slo;

import dev.pitwall.core.storage.Database;
import dev.pitwall.gateway.sli.RequestObservation;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts each objective's good and total events per minute. Requests are judged as they finish
 * and counted in memory; every few seconds (and before each evaluation) the counts are added to
 * the store's, where every replica sharing it adds its own, so the counts are the fleet's and
 * outlive a restart. When the store cannot be written the counts wait in memory for the next try.
 */
public final class SloLedger implements AutoCloseable {

    static final Duration FLUSH_EVERY = Duration.ofSeconds(10);
    /** Minutes are kept a day beyond the longest period, then pruned. */
    static final Duration KEEP = Duration.ofDays(31);

    private static final Logger LOG = LoggerFactory.getLogger(SloLedger.class);

    private final Jdbi jdbi;
    private final Clock clock;
    private final Supplier<List<SloSpec>> objectives;
    /** series → minute → {good, total}, not yet in the store. */
    private final Map<String, Map<Long, long[]>> pending = new HashMap<>();
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("pitwall-slo-ledger").factory());
    private volatile long prunedMinute;

    /** @param objectives the objectives in force, asked on each request (keep it cheap) */
    public SloLedger(Database database, Clock clock, Supplier<List<SloSpec>> objectives) {
        this.jdbi = database.jdbi();
        this.clock = clock;
        this.objectives = objectives;
        flusher.scheduleWithFixedDelay(this::flushQuietly, FLUSH_EVERY.toMillis(), FLUSH_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Counts a finished request for every objective that counts it. */
    public void record(RequestObservation done) {
        long minute = minute(clock.millis());
        for (SloSpec spec : objectives.get()) {
            spec.judge(done).ifPresent(good -> count(series(spec), minute, good ? 1 : 0, 1));
        }
    }

    /** Counts {@code total} events, {@code good} of them good, for {@code spec} in the minute of {@code millis}. */
    void count(SloSpec spec, long millis, long good, long total) {
        count(series(spec), minute(millis), good, total);
    }

    private synchronized void count(String series, long minute, long good, long total) {
        long[] counts = pending.computeIfAbsent(series, s -> new HashMap<>()).computeIfAbsent(minute, m -> new long[2]);
        counts[0] += good;
        counts[1] += total;
    }

    /**
     * The good and total events of {@code spec} over each of {@code windows} ending now, counting
     * the current minute as one of each window's: all replicas' that have reached the store, and this one's.
     */
    public List<long[]> counts(SloSpec spec, List<Duration> windows) {
        flush();
        long now = minute(clock.millis());
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < windows.size(); i++) {
            sql.append(i == 0 ? "" : ", ")
                    .append("SUM(CASE WHEN minute > :since").append(i).append(" THEN good ELSE 0 END), ")
                    .append("SUM(CASE WHEN minute > :since").append(i).append(" THEN total ELSE 0 END)");
        }
        long longest = windows.stream().mapToLong(Duration::toMinutes).max().orElse(0);
        sql.append(" FROM slo_events WHERE series = :series AND minute > :oldest");
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(sql.toString()).bind("series", series(spec)).bind("oldest", now - longest);
            for (int i = 0; i < windows.size(); i++) {
                query.bind("since" + i, now - windows.get(i).toMinutes());
            }
            return query.map((rs, ctx) -> {
                List<long[]> out = new ArrayList<>();
                for (int i = 0; i < windows.size(); i++) {
                    out.add(new long[] {rs.getLong(2 * i + 1), rs.getLong(2 * i + 2)});
                }
                return out;
            }).one();
        });
    }

    /** Adds the counts kept in memory to the store's; on failure they stay for the next try. */
    public void flush() {
        Map<String, Map<Long, long[]>> taken;
        synchronized (this) {
            if (pending.isEmpty()) {
                return;
            }
            taken = new HashMap<>(pending);
            pending.clear();
        }
        try {
            jdbi.useTransaction(handle -> {
                PreparedBatch batch = handle.prepareBatch("""
                        INSERT INTO slo_events (series, minute, good, total) VALUES (:series, :minute, :good, :total)
                        ON CONFLICT (series, minute) DO UPDATE SET good = slo_events.good + excluded.good,
                            total = slo_events.total + excluded.total""");
                taken.forEach((series, minutes) -> minutes.forEach((minute, counts) -> batch.bind("series", series)
                        .bind("minute", minute).bind("good", counts[0]).bind("total", counts[1]).add()));
                batch.execute();
            });
        } catch (RuntimeException e) {
            synchronized (this) {
                taken.forEach((series, minutes) -> minutes.forEach((minute, counts) ->
                        count(series, minute, counts[0], counts[1])));
            }
            throw e;
        }
        prune();
    }

    private void prune() {
        long oldest = minute(clock.millis()) - KEEP.toMinutes();
        if (oldest - prunedMinute < 60) {
            return;
        }
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM slo_events WHERE minute <= :oldest")
                .bind("oldest", oldest).execute());
        prunedMinute = oldest;
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("SLO event counts could not be stored ({}); they are kept for the next try", e.toString());
        }
    }

    /** What a count is of: redefining an objective's indicator, threshold, model or tenant starts a new one. */
    static String series(SloSpec spec) {
        return spec.name() + "|" + spec.sli().label() + "|"
                + (spec.threshold() == null ? "" : spec.threshold().toMillis() + "ms") + "|" + spec.model() + "|"
                + spec.tenant();
    }

    private static long minute(long millis) {
        return Math.floorDiv(millis, 60_000L);
    }

    @Override
    public void close() {
        flusher.shutdownNow();
        flushQuietly();
    }
}
