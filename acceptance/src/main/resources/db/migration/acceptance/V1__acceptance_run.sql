-- Acceptance runs: the verdict, its counts for listings, the full evaluation (JSON) and the
-- report as it was written, so that a report reads the same later whatever changes since.
-- IF NOT EXISTS: stores created before acceptance had tables of its own already have this one
-- (made by trainops' first migration); their runs stay where they are.
CREATE TABLE IF NOT EXISTS acceptance_run (
    id           ${auto_id},
    name         VARCHAR(200) NOT NULL,
    created_at   BIGINT       NOT NULL,
    verdict      VARCHAR(10)  NOT NULL,
    profile      VARCHAR(100),
    nodes        INTEGER      NOT NULL,
    failed_nodes INTEGER      NOT NULL,
    findings     INTEGER      NOT NULL,
    evaluation   TEXT         NOT NULL,
    report_html  TEXT         NOT NULL
);

CREATE INDEX IF NOT EXISTS acceptance_run_created_at ON acceptance_run (created_at);
