package dev.pitwall.trainops.incident;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.storage.Database;
import dev.pitwall.trainops.signal.Severity;
import dev.pitwall.trainops.signal.StoredSignal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Turns signals into incidents and keeps their lifecycle. A signal of severity error or worse
 * joins the open incident that had a signal within the correlation window, or opens one;
 * warnings only join. A critical signal of a hardware category (the catalog's suspect
 * categories: GPU, memory, PCIe, NVLink) names its node as the suspect: an NCCL timeout reported by many ranks and an Xid 79 on one node make one
 * incident whose suspected node is the Xid's.
 */
public final class Incidents {

    /** Signals this close together are taken as one failure. */
    public static final Duration WINDOW = Duration.ofMinutes(10);

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final Set<String> suspectCategories;

    /** @param suspectCategories categories whose critical signals name their node as the suspect */
    public Incidents(Database database, AuditLog audit, Clock clock, Set<String> suspectCategories) {
        this.jdbi = database.jdbi();
        this.audit = audit;
        this.clock = clock;
        this.suspectCategories = Set.copyOf(suspectCategories);
    }

    /** Correlates a batch of stored signals into incidents and links each signal to the incident it joined. */
    public synchronized void correlate(List<StoredSignal> signals) {
        if (signals.isEmpty()) {
            return;
        }
        long now = clock.millis();
        jdbi.useTransaction(h -> {
            for (StoredSignal stored : signals) {
                long seen = stored.seenAt() != null ? stored.seenAt().toEpochMilli() : now;
                List<Incident> candidates = h.createQuery("""
                                SELECT * FROM incident WHERE state <> 'RESOLVED' AND last_signal_at >= :since
                                ORDER BY id DESC""")
                        .bind("since", now - WINDOW.toMillis()).map(Incidents::row).list();
                Optional<Incident> open = choose(candidates, stored);
                Long incidentId = null;
                if (open.isPresent()) {
                    join(h, open.get(), stored, now, seen);
                    incidentId = open.get().id();
                } else if (stored.signal().severity().compareTo(Severity.ERROR) >= 0) {
                    incidentId = h.createUpdate("""
                                    INSERT INTO incident (title, category, severity, suspected_node, state, signals, nodes,
                                                          detected_at, last_signal_at, started_at, job)
                                    VALUES (:title, :category, :severity, :node, 'DETECTED', 1, :node, :now, :now, :seen, :job)""")
                            .bind("job", stored.job())
                            .bind("title", stored.signal().meaning()).bind("category", stored.signal().category())
                            .bind("severity", stored.signal().severity().name()).bind("node", stored.node())
                            .bind("now", now).bind("seen", Math.min(seen, now))
                            .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                }
                if (incidentId != null && stored.id() > 0) {
                    h.createUpdate("UPDATE signal SET incident_id = :incident WHERE id = :id")
                            .bind("incident", incidentId).bind("id", stored.id()).execute();
                }
            }
        });
    }

    /**
     * The open incident a signal belongs to. A signal of a named job joins that job's incident (or one
     * no job has claimed yet); it never joins another job's. A signal of no job (a kernel line) joins the
     * newest incident that already involves its node, else the newest open one: the node whose GPU failed
     * may not log a timeout of its own before the job's other ranks do.
     */
    static Optional<Incident> choose(List<Incident> openNewestFirst, StoredSignal signal) {
        if (signal.job() != null) {
            return openNewestFirst.stream().filter(i -> signal.job().equals(i.job())).findFirst()
                    .or(() -> openNewestFirst.stream().filter(i -> i.job() == null).findFirst());
        }
        return openNewestFirst.stream().filter(i -> i.nodes().contains(signal.node())).findFirst()
                .or(() -> openNewestFirst.stream().findFirst());
    }

    private void join(Handle h, Incident incident, StoredSignal stored, long now, long seen) {
        Set<String> nodes = new LinkedHashSet<>(incident.nodes());
        nodes.add(stored.node());
        boolean hardware = stored.signal().severity() == Severity.CRITICAL && suspectCategories.contains(stored.signal().category());
        boolean worse = stored.signal().severity().compareTo(Severity.valueOf(incident.severity())) > 0;
        h.createUpdate("""
                        UPDATE incident SET signals = signals + 1, nodes = :nodes, last_signal_at = :now,
                               suspected_node = :suspect, title = :title, category = :category, severity = :severity,
                               started_at = CASE WHEN started_at IS NULL OR started_at > :seen THEN :seen ELSE started_at END,
                               job = COALESCE(job, :job)
                        WHERE id = :id""")
                .bind("job", stored.job())
                .bind("nodes", String.join(",", nodes)).bind("now", now).bind("seen", Math.min(seen, now))
                .bind("suspect", hardware ? stored.node() : incident.suspectedNode())
                .bind("title", hardware ? stored.signal().meaning() : incident.title())
                .bind("category", hardware ? stored.signal().category() : incident.category())
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
                rs.getString("suspected_node"), Incident.State.valueOf(rs.getString("state")), rs.getInt("signals"),
                Arrays.asList(rs.getString("nodes").split(",")), instant(rs, "detected_at"), instant(rs, "last_signal_at"),
                instant(rs, "acknowledged_at"), instant(rs, "mitigated_at"), instant(rs, "resolved_at"),
                instant(rs, "started_at"), rs.getString("job"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }
}
