-- The fault knowledge base: what a failure looks like (its symptom signature), why it happens,
-- how to fix it, and where to read more. References are a JSON array of text; times are epoch
-- milliseconds (UTC).
CREATE TABLE knowledge_entry (
    id          ${auto_id},
    title       TEXT         NOT NULL,
    symptom     TEXT         NOT NULL,
    root_cause  TEXT         NOT NULL,
    fix         TEXT         NOT NULL,
    refs        TEXT         NOT NULL,
    origin      VARCHAR(100) NOT NULL,
    updated_at  BIGINT       NOT NULL
);
