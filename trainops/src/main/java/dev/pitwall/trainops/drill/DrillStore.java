package dev.pitwall.trainops.drill;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Fault drills' results in the store (table {@code drill}), newest first for the Reports page. */
public final class DrillStore {

    /** A stored drill as listings show it. */
    public record Stored(long id, Instant storedAt, DrillResult result) {
    }

    private final Jdbi jdbi;
    private final Clock clock;

    public DrillStore(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
    }

    /**
     * Keeps a drill's result; returns its id.
     *
     * @throws IllegalArgumentException when the result has {@link DrillResult#problems()}
     */
    public long save(DrillResult result) {
        List<String> problems = result.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        String json;
        try {
            json = Json.mapper().writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a drill result could not be written as JSON", e);
        }
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO drill (scenario, verdict, injected_at, stored_at, result)
                        VALUES (:scenario, :verdict, :injected, :stored, :result)""")
                .bind("scenario", result.scenario()).bind("verdict", result.verdict())
                .bind("injected", result.injectedAt().toEpochMilli()).bind("stored", clock.millis())
                .bind("result", json).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    public List<Stored> recent(int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, stored_at, result FROM drill ORDER BY id DESC LIMIT :limit")
                .bind("limit", limit).map((rs, ctx) -> stored(rs.getLong("id"), rs.getLong("stored_at"),
                        rs.getString("result"))).list());
    }

    public Optional<Stored> find(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, stored_at, result FROM drill WHERE id = :id")
                .bind("id", id).map((rs, ctx) -> stored(rs.getLong("id"), rs.getLong("stored_at"),
                        rs.getString("result"))).findOne());
    }

    private static Stored stored(long id, long storedAt, String json) {
        try {
            return new Stored(id, Instant.ofEpochMilli(storedAt), Json.mapper().readValue(json, DrillResult.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("drill " + id + " holds a result that is not JSON", e);
        }
    }
}
