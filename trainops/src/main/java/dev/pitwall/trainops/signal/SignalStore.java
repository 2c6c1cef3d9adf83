package dev.pitwall.trainops.signal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** Signals detected in ingested logs, kept in the trainops tables. */
public final class SignalStore {

    private static final TypeReference<Map<String, String>> FIELDS = new TypeReference<>() {
    };

    private final Jdbi jdbi;
    private final Clock clock;

    public SignalStore(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
    }

    /** Stores a batch's signals in one transaction; answers them with their ids and arrival time. */
    public List<StoredSignal> saveAll(List<StoredSignal> signals) {
        if (signals.isEmpty()) {
            return List.of();
        }
        long now = clock.millis();
        return jdbi.inTransaction(h -> {
            List<StoredSignal> saved = new ArrayList<>(signals.size());
            for (StoredSignal s : signals) {
                long id = h.createUpdate("""
                                INSERT INTO signal (received_at, occurred_at, node, source, job, rule, category, severity,
                                                    fields, meaning, action, text)
                                VALUES (:at, :occurred, :node, :source, :job, :rule, :category, :severity, :fields, :meaning,
                                        :action, :text)""")
                        .bind("at", now).bind("occurred", s.occurredAt() == null ? null : s.occurredAt().toEpochMilli())
                        .bind("node", s.node()).bind("source", s.source()).bind("job", s.job())
                        .bind("rule", s.signal().rule()).bind("category", s.signal().category())
                        .bind("severity", s.signal().severity().name()).bind("fields", json(s.signal().fields()))
                        .bind("meaning", s.signal().meaning()).bind("action", s.signal().action())
                        .bind("text", s.signal().text())
                        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                saved.add(new StoredSignal(id, Instant.ofEpochMilli(now), s.occurredAt(), s.node(), s.source(), s.job(),
                        s.signal()));
            }
            return saved;
        });
    }

    /** The newest signal of {@code rule} on {@code node} that showed at or after {@code since}, if any. */
    public java.util.Optional<StoredSignal> latest(String node, String rule, Instant since) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM signal WHERE node = :node AND rule = :rule
                        AND COALESCE(occurred_at, received_at) >= :since ORDER BY id DESC LIMIT 1""")
                .bind("node", node).bind("rule", rule).bind("since", since.toEpochMilli())
                .map(SignalStore::row).findOne());
    }

    /** Rewrites a stored signal's severity, fields and meaning (a burst that grew); answers whether it is in an incident. */
    public boolean revise(long id, Signal signal) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE signal SET severity = :severity, fields = :fields, meaning = :meaning WHERE id = :id")
                    .bind("severity", signal.severity().name()).bind("fields", json(signal.fields()))
                    .bind("meaning", signal.meaning()).bind("id", id).execute();
            return h.createQuery("SELECT incident_id FROM signal WHERE id = :id").bind("id", id)
                    .mapTo(Long.class).findOne().isPresent();
        });
    }

    /** An incident's signals in the order they showed. */
    public List<StoredSignal> ofIncident(long incidentId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM signal WHERE incident_id = :incident
                        ORDER BY COALESCE(occurred_at, received_at), id""")
                .bind("incident", incidentId).map(SignalStore::row).list());
    }

    /** Signals of {@code rules} that showed in [from, to) (by their own time where the line had one), oldest first. */
    public List<StoredSignal> ofRules(Collection<String> rules, Instant from, Instant to) {
        if (rules.isEmpty()) {
            return List.of();
        }
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM signal WHERE rule IN (<rules>)
                          AND COALESCE(occurred_at, received_at) >= :from AND COALESCE(occurred_at, received_at) < :to
                        ORDER BY COALESCE(occurred_at, received_at), id""")
                .bindList("rules", List.copyOf(rules)).bind("from", from.toEpochMilli()).bind("to", to.toEpochMilli())
                .map(SignalStore::row).list());
    }

    /** The nodes whose lines named {@code job} in [from, to). */
    public Set<String> nodesOfJob(String job, Instant from, Instant to) {
        List<String> nodes = jdbi.withHandle(h -> h.createQuery("""
                        SELECT DISTINCT node FROM signal WHERE job = :job
                          AND COALESCE(occurred_at, received_at) >= :from AND COALESCE(occurred_at, received_at) < :to""")
                .bind("job", job).bind("from", from.toEpochMilli()).bind("to", to.toEpochMilli())
                .mapTo(String.class).list());
        return new TreeSet<>(nodes);
    }

    /** The newest signals first. */
    public List<StoredSignal> recent(int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM signal ORDER BY id DESC LIMIT :limit")
                .bind("limit", limit).map(SignalStore::row).list());
    }

    private static StoredSignal row(ResultSet rs, StatementContext ctx) throws SQLException {
        long occurred = rs.getLong("occurred_at");
        Instant occurredAt = rs.wasNull() ? null : Instant.ofEpochMilli(occurred);
        return new StoredSignal(rs.getLong("id"), Instant.ofEpochMilli(rs.getLong("received_at")), occurredAt,
                rs.getString("node"), rs.getString("source"), rs.getString("job"),
                new Signal(rs.getString("rule"), rs.getString("category"), Severity.valueOf(rs.getString("severity")),
                        fields(rs.getString("fields")), rs.getString("meaning"), rs.getString("action"),
                        rs.getString("text")));
    }

    private static String json(Map<String, String> fields) {
        try {
            return Json.mapper().writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> fields(String json) {
        try {
            return Json.mapper().readValue(json, FIELDS);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }
}
