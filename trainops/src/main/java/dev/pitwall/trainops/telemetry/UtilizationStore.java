package dev.pitwall.trainops.telemetry;

import dev.pitwall.core.storage.Database;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/** How many GPUs each scrape round saw, how many were allocated and how busy those were, for the reliability report. */
public final class UtilizationStore {

    /** @param rounds scrape rounds the figures average over */
    public record Utilization(double physicalPct, double logicalPct, long rounds) {
    }

    private final Jdbi jdbi;

    public UtilizationStore(Database database) {
        this.jdbi = database.jdbi();
    }

    /** One scrape round's GPUs; a round that saw none is not recorded. */
    public void record(Instant at, List<GpuReading> gpus) {
        if (gpus.isEmpty()) {
            return;
        }
        List<GpuReading> allocated = gpus.stream().filter(GpuReading::allocated).toList();
        double activity = allocated.stream().mapToDouble(GpuReading::activityPct).sum();
        Map<String, double[]> memory = new TreeMap<>();
        for (GpuReading g : allocated) {
            g.fbUsedMib().ifPresent(mib -> {
                double[] sum = memory.computeIfAbsent(g.node(), n -> new double[2]);
                sum[0] += 1;
                sum[1] += mib;
            });
        }
        long hour = at.toEpochMilli() / 3_600_000;
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO gpu_utilization (at, gpus, allocated, activity_sum)
                            VALUES (:at, :gpus, :allocated, :activity)""")
                    .bind("at", at.toEpochMilli()).bind("gpus", gpus.size()).bind("allocated", allocated.size())
                    .bind("activity", activity).execute();
            for (Map.Entry<String, double[]> e : memory.entrySet()) {
                h.createUpdate("""
                                INSERT INTO gpu_memory_hour (node, hour, samples, fb_used_sum) VALUES (:node, :hour, :n, :sum)
                                ON CONFLICT (node, hour) DO UPDATE SET samples = gpu_memory_hour.samples + :n,
                                    fb_used_sum = gpu_memory_hour.fb_used_sum + :sum""")
                        .bind("node", e.getKey()).bind("hour", hour).bind("n", (int) e.getValue()[0])
                        .bind("sum", e.getValue()[1]).execute();
            }
        });
    }

    /** One hour's framebuffer memory in use, per allocated GPU, over some nodes. */
    public record MemoryHour(Instant start, double meanMib, long samples) {
    }

    /**
     * The allocated GPUs' mean framebuffer memory in use, hour by hour over [from, to), on {@code nodes}
     * (every node when empty); hours without a reading are left out.
     */
    public List<MemoryHour> memoryHourly(Collection<String> nodes, Instant from, Instant to) {
        long first = from.toEpochMilli() / 3_600_000;
        long last = (to.toEpochMilli() - 1) / 3_600_000;
        return jdbi.withHandle(h -> {
            var query = h.createQuery("SELECT hour, SUM(samples) AS samples, SUM(fb_used_sum) AS used FROM gpu_memory_hour "
                    + "WHERE hour >= :first AND hour <= :last" + (nodes.isEmpty() ? "" : " AND node IN (<nodes>)")
                    + " GROUP BY hour ORDER BY hour").bind("first", first).bind("last", last);
            if (!nodes.isEmpty()) {
                query.bindList("nodes", List.copyOf(nodes));
            }
            return query.map((rs, ctx) -> new MemoryHour(Instant.ofEpochMilli(rs.getLong("hour") * 3_600_000),
                    rs.getDouble("used") / rs.getLong("samples"), rs.getLong("samples"))).list();
        });
    }

    /** One hour's utilization, over its scrape rounds. */
    public record Hour(Instant start, double physicalPct, double logicalPct, long rounds) {
    }

    /**
     * Utilization hour by hour over [from, to), for comparing periods: rounds seconds apart are not
     * independent samples, hours nearly are. Hours without a scrape round are left out.
     */
    public List<Hour> hourly(Instant from, Instant to) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT at / 3600000 AS hour, COUNT(*) AS rounds, SUM(gpus) AS gpus, SUM(allocated) AS allocated,
                               SUM(activity_sum) AS activity
                        FROM gpu_utilization WHERE at >= :from AND at < :to GROUP BY at / 3600000 ORDER BY hour""")
                .bind("from", from.toEpochMilli()).bind("to", to.toEpochMilli())
                .map((rs, ctx) -> {
                    double allocated = rs.getDouble("allocated");
                    return new Hour(Instant.ofEpochMilli(rs.getLong("hour") * 3_600_000), 100 * allocated
                            / rs.getDouble("gpus"), allocated == 0 ? 0 : rs.getDouble("activity") / allocated,
                            rs.getLong("rounds"));
                }).list());
    }

    /**
     * Utilization over [from, to): physical, allocated GPUs over all GPUs; logical, the mean activity of the
     * allocated ones. Empty when no scrape round fell in the period.
     */
    public Optional<Utilization> between(Instant from, Instant to) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COUNT(*) AS rounds, SUM(gpus) AS gpus, SUM(allocated) AS allocated, SUM(activity_sum) AS activity
                        FROM gpu_utilization WHERE at >= :from AND at < :to""")
                .bind("from", from.toEpochMilli()).bind("to", to.toEpochMilli())
                .map((rs, ctx) -> {
                    long rounds = rs.getLong("rounds");
                    double total = rs.getDouble("gpus");
                    double allocated = rs.getDouble("allocated");
                    if (rounds == 0 || total == 0) {
                        return Optional.<Utilization>empty();
                    }
                    return Optional.of(new Utilization(100 * allocated / total,
                            allocated == 0 ? 0 : rs.getDouble("activity") / allocated, rounds));
                }).one());
    }
}
