package dev.pitwall.trainops.fleet;

import dev.pitwall.core.storage.Database;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * The nodes Pitwall has heard from, and since when: each push (log lines, metrics, inventory)
 * stretches its node's first and last sighting. A node counts as observed from its first
 * sighting on, which is what reliability figures divide failures by.
 */
public final class NodeSightings {

    /** When a node was heard from in one push: its first and last line (the same instant for metrics). */
    public record Span(Instant first, Instant last) {

        public Span widen(Instant at) {
            return new Span(at.isBefore(first) ? at : first, at.isAfter(last) ? at : last);
        }
    }

    private final Jdbi jdbi;

    public NodeSightings(Database database) {
        this.jdbi = database.jdbi();
    }

    /** Records that each node was heard from between its two instants (first and last line of a batch). */
    public void saw(Map<String, Span> spans) {
        if (spans.isEmpty()) {
            return;
        }
        jdbi.useTransaction(h -> {
            // In node order, so that two replicas' transactions take the rows' locks in one order.
            for (Map.Entry<String, Span> e : new TreeMap<>(spans).entrySet()) {
                h.createUpdate("""
                                INSERT INTO node_seen (node, first_seen, last_seen) VALUES (:node, :first, :last)
                                ON CONFLICT (node) DO UPDATE SET
                                  first_seen = CASE WHEN excluded.first_seen < node_seen.first_seen
                                                    THEN excluded.first_seen ELSE node_seen.first_seen END,
                                  last_seen = CASE WHEN excluded.last_seen > node_seen.last_seen
                                                   THEN excluded.last_seen ELSE node_seen.last_seen END""")
                        .bind("node", e.getKey()).bind("first", e.getValue().first().toEpochMilli())
                        .bind("last", e.getValue().last().toEpochMilli()).execute();
            }
        });
    }

    /** Records one sighting of {@code node} at {@code at}. */
    public void saw(String node, Instant at) {
        saw(Map.of(node, new Span(at, at)));
    }

    /** How long each node seen by {@code to} was observed within [from, to): from its first sighting (or {@code from}) to {@code to}. */
    public Map<String, Duration> observed(Instant from, Instant to) {
        record Seen(String node, long first) {
        }
        List<Seen> seen = jdbi.withHandle(h -> h.createQuery(
                        "SELECT node, first_seen FROM node_seen WHERE first_seen < :to ORDER BY node")
                .bind("to", to.toEpochMilli())
                .map((rs, ctx) -> new Seen(rs.getString("node"), rs.getLong("first_seen"))).list());
        Map<String, Duration> observed = new LinkedHashMap<>();
        for (Seen s : seen) {
            observed.put(s.node(), Duration.between(Instant.ofEpochMilli(Math.max(s.first(), from.toEpochMilli())), to));
        }
        return observed;
    }
}
