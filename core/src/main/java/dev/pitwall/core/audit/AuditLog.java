package dev.pitwall.core.audit;

import dev.pitwall.core.storage.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * The append-only record of actions taken through Pitwall. Every module that changes the world
 * (issues keys, cordons nodes, resolves incidents) writes here, so an operator can always answer
 * "who did that, and when".
 */
public final class AuditLog {

    public static final String MODULE = "core";

    private final Jdbi jdbi;
    private final Clock clock;

    public AuditLog(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
    }

    /** Appends an event and returns it with its id once committed. */
    public AuditEvent record(String actor, String action, String subject, String detail) {
        Instant now = clock.instant();
        long id = jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO audit_event (occurred_at, actor, action, subject, detail)
                        VALUES (:at, :actor, :action, :subject, :detail)""")
                .bind("at", now.toEpochMilli())
                .bind("actor", actor)
                .bind("action", action)
                .bind("subject", subject)
                .bind("detail", detail)
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one());
        return new AuditEvent(id, Instant.ofEpochMilli(now.toEpochMilli()), actor, action, subject, detail);
    }

    /** The newest {@code limit} events, newest first. */
    public List<AuditEvent> recent(int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT id, occurred_at, actor, action, subject, detail
                        FROM audit_event ORDER BY id DESC LIMIT :limit""")
                .bind("limit", limit)
                .map((rs, ctx) -> new AuditEvent(rs.getLong("id"), Instant.ofEpochMilli(rs.getLong("occurred_at")),
                        rs.getString("actor"), rs.getString("action"), rs.getString("subject"), rs.getString("detail")))
                .list());
    }
}
