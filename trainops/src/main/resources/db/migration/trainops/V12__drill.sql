-- Fault drills as their runs reported them: what was done, what Pitwall saw and against which
-- targets, kept for the Reports page and for comparing drills over time.
CREATE TABLE drill (
    id          ${auto_id},
    scenario    VARCHAR(100) NOT NULL,
    verdict     VARCHAR(8)   NOT NULL,
    injected_at BIGINT       NOT NULL,
    stored_at   BIGINT       NOT NULL,
    result      TEXT         NOT NULL
);
CREATE INDEX drill_injected ON drill (injected_at);
