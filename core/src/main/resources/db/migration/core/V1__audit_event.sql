-- Who did what to which subject, and when: API keys issued, nodes cordoned, incidents resolved.
-- Times are epoch milliseconds (UTC) so that SQLite and PostgreSQL sort and compare them alike.
CREATE TABLE audit_event (
    id          ${auto_id},
    occurred_at BIGINT       NOT NULL,
    actor       VARCHAR(200) NOT NULL,
    action      VARCHAR(200) NOT NULL,
    subject     VARCHAR(500) NOT NULL,
    detail      TEXT         NOT NULL
);

CREATE INDEX audit_event_occurred_at ON audit_event (occurred_at);
