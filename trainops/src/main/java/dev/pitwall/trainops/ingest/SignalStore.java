package dev.pitwall.trainops.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import dev.pitwall.trainops.detect.Severity;
import dev.pitwall.trainops.detect.Signal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

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

    /** Stores a batch's signals in one transaction. */
    public void saveAll(List<StoredSignal> signals) {
        if (signals.isEmpty()) {
            return;
        }
        long now = clock.millis();
        jdbi.useTransaction(h -> {
            var batch = h.prepareBatch("""
                    INSERT INTO signal (received_at, node, source, rule, category, severity, fields, meaning, action, text)
                    VALUES (:at, :node, :source, :rule, :category, :severity, :fields, :meaning, :action, :text)""");
            for (StoredSignal s : signals) {
                batch.bind("at", now).bind("node", s.node()).bind("source", s.source())
                        .bind("rule", s.signal().rule()).bind("category", s.signal().category())
                        .bind("severity", s.signal().severity().name()).bind("fields", json(s.signal().fields()))
                        .bind("meaning", s.signal().meaning()).bind("action", s.signal().action())
                        .bind("text", s.signal().text()).add();
            }
            batch.execute();
        });
    }

    /** The newest signals first. */
    public List<StoredSignal> recent(int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, received_at, node, source, rule, category, severity, fields, meaning, action, text
                        FROM signal ORDER BY id DESC LIMIT :limit""")
                .bind("limit", limit)
                .map((rs, ctx) -> new StoredSignal(rs.getLong("id"), Instant.ofEpochMilli(rs.getLong("received_at")),
                        rs.getString("node"), rs.getString("source"),
                        new Signal(rs.getString("rule"), rs.getString("category"), Severity.valueOf(rs.getString("severity")),
                                0, fields(rs.getString("fields")), rs.getString("meaning"), rs.getString("action"),
                                rs.getString("text"))))
                .list());
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
