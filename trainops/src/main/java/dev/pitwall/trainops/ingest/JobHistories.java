package dev.pitwall.trainops.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import dev.pitwall.trainops.detect.JobProgress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Job progress histories in the store (table {@code job_progress}), one row per job log. A change
 * to a batch's logs runs in one transaction that first takes their rows (an update, which
 * PostgreSQL locks and SQLite serialises), so two replicas reading one job's lines judge them
 * against one history, and a restarted server goes on where it stopped.
 */
public final class JobHistories implements JobProgress.Histories {

    /** Logs quiet this long are no longer checked for stalls: the job ended long ago. */
    static final Duration FORGOTTEN_AFTER = Duration.ofDays(1);
    private static final int NODES_PER_QUERY = 500;

    private final Jdbi jdbi;
    private final Clock clock;

    public JobHistories(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
    }

    @Override
    public void update(Collection<JobProgress.Log> logs, BiConsumer<JobProgress.Log, JobProgress.History> change) {
        if (logs.isEmpty()) {
            return;
        }
        // Rows are taken in one order, so that two replicas' batches over the same logs cannot deadlock.
        List<JobProgress.Log> ordered = logs.stream()
                .sorted(Comparator.comparing(JobProgress.Log::node).thenComparing(JobProgress.Log::source)).toList();
        long now = clock.millis();
        jdbi.useTransaction(h -> {
            PreparedBatch create = h.prepareBatch("""
                    INSERT INTO job_progress (node, source, history, updated_at) VALUES (:node, :source, '{}', :now)
                    ON CONFLICT (node, source) DO NOTHING""");
            PreparedBatch take = h.prepareBatch(
                    "UPDATE job_progress SET updated_at = updated_at WHERE node = :node AND source = :source");
            for (JobProgress.Log log : ordered) {
                create.bind("node", log.node()).bind("source", log.source()).bind("now", now).add();
                take.bind("node", log.node()).bind("source", log.source()).add();
            }
            create.execute();
            take.execute();
            PreparedBatch keep = h.prepareBatch(
                    "UPDATE job_progress SET history = :history, updated_at = :now WHERE node = :node AND source = :source");
            // A query for many of the batch's nodes at once (their other logs' rows are read and
            // passed over), in groups well under the databases' limits on bound parameters.
            Map<JobProgress.Log, String> kept = new HashMap<>();
            List<String> nodes = ordered.stream().map(JobProgress.Log::node).distinct().toList();
            for (int from = 0; from < nodes.size(); from += NODES_PER_QUERY) {
                h.createQuery("SELECT node, source, history FROM job_progress WHERE node IN (<nodes>)")
                        .bindList("nodes", nodes.subList(from, Math.min(nodes.size(), from + NODES_PER_QUERY)))
                        .map((rs, ctx) -> Map.entry(new JobProgress.Log(rs.getString("node"), rs.getString("source")),
                                rs.getString("history")))
                        .forEach(row -> kept.put(row.getKey(), row.getValue()));
            }
            int changed = 0;
            for (JobProgress.Log log : ordered) {
                String before = kept.get(log);
                JobProgress.History history = read(before);
                change.accept(log, history);
                String after = write(history);
                // An unchanged history keeps its row as it was, time included: a log gone quiet is
                // forgotten a day later, not kept alive by the stall check that reads it.
                if (!after.equals(before)) {
                    keep.bind("history", after).bind("now", now).bind("node", log.node()).bind("source", log.source()).add();
                    changed++;
                }
            }
            if (changed > 0) {
                keep.execute();
            }
        });
    }

    @Override
    public List<JobProgress.Log> logs() {
        long since = clock.millis() - FORGOTTEN_AFTER.toMillis();
        return jdbi.withHandle(h -> h.createQuery("SELECT node, source FROM job_progress WHERE updated_at >= :since")
                .bind("since", since)
                .map((rs, ctx) -> new JobProgress.Log(rs.getString("node"), rs.getString("source"))).list());
    }

    /** Where one job log stands: its last step and when it came. */
    public record Progress(String node, String source, long lastIteration, Instant lastStepAt) {
    }

    /** Every job log heard from in the last day, with its last step. */
    public List<Progress> progress() {
        long since = clock.millis() - FORGOTTEN_AFTER.toMillis();
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT node, source, history FROM job_progress WHERE updated_at >= :since ORDER BY node, source""")
                .bind("since", since)
                .map((rs, ctx) -> {
                    JobProgress.History history = read(rs.getString("history"));
                    return new Progress(rs.getString("node"), rs.getString("source"), history.lastIteration(),
                            history.lastStepAt());
                }).list());
    }

    /** Each node's last training step, over its job logs heard from in the last day. */
    public Map<String, Instant> lastSteps() {
        Map<String, Instant> last = new HashMap<>();
        for (Progress p : progress()) {
            if (p.lastStepAt() != null) {
                last.merge(p.node(), p.lastStepAt(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        return last;
    }

    private static JobProgress.History read(String text) {
        try {
            JsonNode json = Json.mapper().readTree(text);
            if (!json.has("last_iteration")) {
                return new JobProgress.History();
            }
            return new JobProgress.History(numbers(json.path("losses")), numbers(json.path("step_ms")),
                    json.path("last_iteration").asLong(), json.hasNonNull("last_step_at")
                    ? Instant.ofEpochMilli(json.path("last_step_at").asLong()) : null, json.path("stall_reported").asBoolean());
        } catch (IOException e) {
            throw new UncheckedIOException("a job_progress row is not JSON", e);
        }
    }

    private static List<Double> numbers(JsonNode array) {
        List<Double> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asDouble()));
        return values;
    }

    private static String write(JobProgress.History history) {
        ObjectNode json = Json.mapper().createObjectNode();
        history.losses().forEach(json.putArray("losses")::add);
        history.stepMs().forEach(json.putArray("step_ms")::add);
        json.put("last_iteration", history.lastIteration());
        if (history.lastStepAt() != null) {
            json.put("last_step_at", history.lastStepAt().toEpochMilli());
        }
        json.put("stall_reported", history.stallReported());
        return json.toString();
    }
}
