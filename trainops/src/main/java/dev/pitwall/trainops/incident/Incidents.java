package dev.pitwall.trainops.incident;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.storage.Database;
import dev.pitwall.trainops.detect.RuleCatalog;
import dev.pitwall.trainops.signal.Severity;
import dev.pitwall.trainops.signal.StoredSignal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Turns signals into incidents and keeps their lifecycle: one incident per failure.
 *
 * <p>An incident opens on its first error or critical signal (warnings only join). A signal joins
 * an open incident only while the incident explains it: the same job, or the same node, within
 * {@link #WINDOW} of the incident's first signal (counted from there, not sliding with each new
 * one); inside the fault's first {@link #BURST} a signal that names no other job joins too, since
 * the node whose GPU failed may not log a timeout of its own before the job's other ranks do. A
 * critical signal of a suspect category (the catalog's hardware categories) names its node as a
 * suspect; inside the burst one incident may name several (a leaf switch taking out two nodes),
 * after it a critical hardware signal on a node that is not a suspect yet is a new failure and
 * opens a new incident. Times are the lines' own, when they were written on their nodes, else
 * their arrival, so that a batch replayed late correlates as it happened. An incident is titled by
 * its first signal, or by the one that names its first suspect (the cause, often logged just after
 * the ranks' timeouts); after that its title and first suspect are never rewritten: later evidence
 * goes on its timeline. Past its burst, an incident stops explaining signals once training made
 * progress again on one of its nodes after its last signal: the job recovered, so what fails next
 * is a new failure, however soon.
 *
 * <p>Each correlating transaction first updates one lock row, so replicas sharing the store
 * correlate one batch at a time.
 */
public final class Incidents {

    /** How long after its first signal an incident takes in more of the same job or node. */
    public static final Duration WINDOW = Duration.ofMinutes(10);
    /** A fault's first moments: signals of every node and several suspects may still be one failure. */
    public static final Duration BURST = Duration.ofMinutes(1);

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final Set<String> suspectCategories;
    private final TrainingProgress progress;

    /** Where training last made progress: each node's last training step, as the job logs told it. */
    @FunctionalInterface
    public interface TrainingProgress {
        /** Node → when its job log last showed a step. */
        Map<String, Instant> lastSteps();

        TrainingProgress NONE = Map::of;
    }

    /** The incidents of a store, for a command that reads them: the shipped rules name the suspects. */
    public static Incidents reading(Database database, Clock clock) {
        return new Incidents(database, new AuditLog(database, clock), clock, RuleCatalog.builtIn().suspectCategories());
    }

    /** @param suspectCategories categories whose critical signals name their node as the suspect */
    public Incidents(Database database, AuditLog audit, Clock clock, Set<String> suspectCategories) {
        this(database, audit, clock, suspectCategories, TrainingProgress.NONE);
    }

    /** @param progress where training last made progress, so a failure after a recovery is a new incident */
    public Incidents(Database database, AuditLog audit, Clock clock, Set<String> suspectCategories,
                     TrainingProgress progress) {
        this.jdbi = database.jdbi();
        this.audit = audit;
        this.clock = clock;
        this.suspectCategories = Set.copyOf(suspectCategories);
        this.progress = progress;
    }

    /** Correlates a batch of stored signals into incidents and links each signal to the incident it joined. */
    public void correlate(List<StoredSignal> signals) {
        if (signals.isEmpty()) {
            return;
        }
        long now = clock.millis();
        Map<String, Instant> lastSteps = mayHaveRecovered(signals, now) ? progress.lastSteps() : Map.of();
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE incident_correlation SET turns = turns + 1 WHERE id = 1").execute();
            for (StoredSignal stored : signals) {
                long seen = Math.min(stored.seenAt() != null ? stored.seenAt().toEpochMilli() : now, now);
                List<Incident> candidates = h.createQuery("""
                                SELECT * FROM incident WHERE state <> 'RESOLVED'
                                AND COALESCE(started_at, detected_at) BETWEEN :earliest AND :latest
                                ORDER BY id DESC""")
                        .bind("earliest", seen - WINDOW.toMillis()).bind("latest", seen + BURST.toMillis())
                        .map(Incidents::row).list();
                candidates.removeIf(incident -> recoveredBefore(incident, lastSteps, seen));
                Optional<Incident> open = choose(candidates, stored, seen, suspectCategories);
                Long incidentId = null;
                if (open.isPresent()) {
                    join(h, open.get(), stored, now, seen);
                    incidentId = open.get().id();
                } else if (stored.signal().severity().compareTo(Severity.ERROR) >= 0) {
                    incidentId = open(h, stored, now, seen);
                }
                if (incidentId != null && stored.id() > 0) {
                    h.createUpdate("UPDATE signal SET incident_id = :incident WHERE id = :id")
                            .bind("incident", incidentId).bind("id", stored.id()).execute();
                }
            }
        });
    }

    /**
     * The open incident a signal seen at {@code seenMillis} belongs to, if one explains it: one whose
     * burst it falls in before one that is only of its job or node, one of its job or node before one
     * that is not; the newest among equals.
     * A critical hardware signal on a node that is not yet a suspect, past an incident's burst, belongs
     * to none: it is a new failure.
     */
    static Optional<Incident> choose(List<Incident> openNewestFirst, StoredSignal signal, long seenMillis,
                                     Set<String> suspectCategories) {
        boolean hardware = names(signal, suspectCategories);
        Optional<Incident> best = Optional.empty();
        int bestRank = 0;
        for (Incident incident : openNewestFirst) {
            boolean inBurst = Math.abs(seenMillis - start(incident)) <= BURST.toMillis();
            boolean otherJob = signal.job() != null && incident.job() != null && !signal.job().equals(incident.job());
            if (otherJob || (hardware && !inBurst && !incident.suspects().contains(signal.node()))) {
                continue;
            }
            boolean related = signal.job() != null && signal.job().equals(incident.job())
                    || incident.nodes().contains(signal.node());
            int rank = (inBurst ? 2 : 0) + (related ? 1 : 0);
            if (rank > bestRank) {
                best = Optional.of(incident);
                bestRank = rank;
            }
        }
        return best;
    }

    /**
     * Whether the batch may meet an open incident past its burst, the only kind a recovery ends:
     * training progress is read only then, since ingest is the hot path and most batches meet none.
     */
    private boolean mayHaveRecovered(List<StoredSignal> signals, long now) {
        long earliest = Long.MAX_VALUE;
        long latest = Long.MIN_VALUE;
        for (StoredSignal s : signals) {
            long seen = Math.min(s.seenAt() != null ? s.seenAt().toEpochMilli() : now, now);
            earliest = Math.min(earliest, seen);
            latest = Math.max(latest, seen);
        }
        long from = earliest - WINDOW.toMillis();
        long to = latest - BURST.toMillis();
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COUNT(*) FROM incident WHERE state <> 'RESOLVED'
                        AND COALESCE(started_at, detected_at) BETWEEN :from AND :to""")
                .bind("from", from).bind("to", to).mapTo(Long.class).one()) > 0;
    }

    /**
     * Whether training made progress on one of the incident's nodes after its last signal and
     * before {@code seenMillis}, past its burst: the failure was over, a signal now is a new one.
     */
    static boolean recoveredBefore(Incident incident, Map<String, Instant> lastSteps, long seenMillis) {
        if (seenMillis - start(incident) <= BURST.toMillis()) {
            return false;
        }
        long last = incident.lastSignalAt().toEpochMilli();
        return incident.nodes().stream().map(lastSteps::get).filter(Objects::nonNull)
                .mapToLong(Instant::toEpochMilli).anyMatch(step -> step > last && step < seenMillis);
    }

    /** Whether the signal names its node as a suspect: critical, of a hardware category. */
    private static boolean names(StoredSignal signal, Set<String> suspectCategories) {
        return signal.signal().severity() == Severity.CRITICAL && suspectCategories.contains(signal.signal().category());
    }

    private static long start(Incident incident) {
        return (incident.startedAt() != null ? incident.startedAt() : incident.detectedAt()).toEpochMilli();
    }

    private long open(Handle h, StoredSignal stored, long now, long seen) {
        boolean hardware = names(stored, suspectCategories);
        return h.createUpdate("""
                        INSERT INTO incident (title, category, severity, suspected_node, suspects, state, signals, nodes,
                                              detected_at, last_signal_at, started_at, job)
                        VALUES (:title, :category, :severity, :node, :suspects, 'DETECTED', 1, :node, :now, :now, :seen,
                                :job)""")
                .bind("job", stored.job())
                .bind("title", stored.signal().meaning()).bind("category", stored.signal().category())
                .bind("severity", stored.signal().severity().name()).bind("node", stored.node())
                .bind("suspects", hardware ? stored.node() : "")
                .bind("now", now).bind("seen", seen)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    private void join(Handle h, Incident incident, StoredSignal stored, long now, long seen) {
        Set<String> nodes = new LinkedHashSet<>(incident.nodes());
        nodes.add(stored.node());
        Set<String> suspects = new LinkedHashSet<>(incident.suspects());
        boolean firstSuspect = suspects.isEmpty();
        if (names(stored, suspectCategories)) {
            suspects.add(stored.node());
        }
        // The first suspect named (within the burst, as choose() allows) replaces the provisional one, the first
        // signal's node, and its signal titles the incident: it is the failure's cause. Nothing after it does.
        boolean named = firstSuspect && !suspects.isEmpty();
        boolean worse = stored.signal().severity().compareTo(Severity.valueOf(incident.severity())) > 0;
        h.createUpdate("""
                        UPDATE incident SET signals = signals + 1, nodes = :nodes, last_signal_at = :now,
                               suspected_node = :suspect, suspects = :suspects, title = :title, category = :category,
                               severity = :severity,
                               started_at = CASE WHEN started_at IS NULL OR started_at > :seen THEN :seen ELSE started_at END,
                               job = COALESCE(job, :job)
                        WHERE id = :id""")
                .bind("job", stored.job())
                .bind("nodes", String.join(",", nodes)).bind("now", now).bind("seen", seen)
                .bind("suspect", named ? stored.node() : incident.suspectedNode())
                .bind("suspects", String.join(",", suspects))
                .bind("title", named ? stored.signal().meaning() : incident.title())
                .bind("category", named ? stored.signal().category() : incident.category())
                .bind("severity", worse ? stored.signal().severity().name() : incident.severity())
                .bind("id", incident.id()).execute();
    }

    public List<Incident> recent(int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM incident ORDER BY id DESC LIMIT :limit")
                .bind("limit", limit).map(Incidents::row).list());
    }

    /** Incidents detected in [from, to), oldest first. */
    public List<Incident> detectedBetween(Instant from, Instant to) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM incident WHERE detected_at >= :from AND detected_at < :to ORDER BY detected_at, id""")
                .bind("from", from.toEpochMilli()).bind("to", to.toEpochMilli()).map(Incidents::row).list());
    }

    /** The incident a path names ("12"); empty for no such incident or a path that is not a number. */
    public Optional<Incident> get(String id) {
        try {
            return get(Long.parseLong(id));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public Optional<Incident> get(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM incident WHERE id = :id").bind("id", id)
                .map(Incidents::row).findOne());
    }

    /** Who marks an incident mitigated when training runs again, in the audit log. */
    public static final String RECOVERY_ACTOR = "pitwall";

    /**
     * Marks mitigated each open incident on one of whose nodes training has made a step since the
     * incident's last signal: training running again is what mitigated means, and waiting for someone
     * to press a button would measure the button, not the recovery. The mitigation time is that
     * step's (the node's newest, so late by at most the time between two checks); an incident a
     * person mitigated or resolved is left as it is. Each one moved is in the audit log.
     *
     * @return the incidents marked mitigated
     */
    public synchronized List<Incident> mitigateRecovered() {
        List<Incident> open = jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM incident WHERE mitigated_at IS NULL AND state IN ('DETECTED', 'ACKNOWLEDGED')""")
                .map(Incidents::row).list());
        // Job progress is read only when an incident waits for it: most checks find none open.
        Map<String, Instant> lastSteps = open.isEmpty() ? Map.of() : progress.lastSteps();
        List<Incident> moved = new ArrayList<>();
        for (Incident incident : open) {
            Optional<Map.Entry<String, Instant>> step = incident.nodes().stream()
                    .filter(lastSteps::containsKey).map(n -> Map.entry(n, lastSteps.get(n)))
                    .filter(e -> e.getValue().isAfter(incident.lastSignalAt()))
                    .min(Map.Entry.comparingByValue());
            if (step.isEmpty()) {
                continue;
            }
            int updated = jdbi.withHandle(h -> h.createUpdate("""
                            UPDATE incident SET state = 'MITIGATED', mitigated_at = :at
                            WHERE id = :id AND mitigated_at IS NULL AND state IN ('DETECTED', 'ACKNOWLEDGED')""")
                    .bind("at", step.get().getValue().toEpochMilli()).bind("id", incident.id()).execute());
            if (updated == 1) {
                audit.record(RECOVERY_ACTOR, "incident.mitigated", "incident " + incident.id(), "training ran again: a "
                        + "step at " + step.get().getValue() + " on " + step.get().getKey());
                get(incident.id()).ifPresent(moved::add);
            }
        }
        return moved;
    }

    /**
     * Moves an incident forward to {@code target}, stamping the time of each step it passes; an
     * incident never moves back.
     *
     * @return the incident after the move, or empty when there is no such incident
     * @throws IllegalStateException when the incident is already at or past {@code target}
     */
    public synchronized Optional<Incident> advance(long id, Incident.State target, String actor) {
        Optional<Incident> current = get(id);
        if (current.isEmpty()) {
            return current;
        }
        if (current.get().state().compareTo(target) >= 0) {
            throw new IllegalStateException("incident " + id + " is already " + current.get().state().name().toLowerCase());
        }
        long now = clock.millis();
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE incident SET state = :state,
                               acknowledged_at = COALESCE(acknowledged_at, :ack),
                               mitigated_at = COALESCE(mitigated_at, :mit),
                               resolved_at = COALESCE(resolved_at, :res)
                        WHERE id = :id""")
                .bind("state", target.name())
                .bind("ack", target.compareTo(Incident.State.ACKNOWLEDGED) >= 0 ? now : null)
                .bind("mit", target.compareTo(Incident.State.MITIGATED) >= 0 ? now : null)
                .bind("res", target.compareTo(Incident.State.RESOLVED) >= 0 ? now : null)
                .bind("id", id).execute());
        audit.record(actor, "incident." + target.name().toLowerCase(), "incident " + id, current.get().title());
        return get(id);
    }

    private static Incident row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Incident(rs.getLong("id"), rs.getString("title"), rs.getString("category"), rs.getString("severity"),
                rs.getString("suspected_node"), list(rs.getString("suspects")), Incident.State.valueOf(rs.getString("state")),
                rs.getInt("signals"), list(rs.getString("nodes")), instant(rs, "detected_at"), instant(rs, "last_signal_at"),
                instant(rs, "acknowledged_at"), instant(rs, "mitigated_at"), instant(rs, "resolved_at"),
                instant(rs, "started_at"), rs.getString("job"));
    }

    private static List<String> list(String commaSeparated) {
        return commaSeparated == null || commaSeparated.isEmpty() ? List.of() : List.of(commaSeparated.split(","));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }
}
