-- Incidents: signals correlated by time, with their lifecycle. Each transition keeps its time
-- (epoch milliseconds, UTC), so time to recover (mitigated - detected) and time to resolve are
-- measured per incident.
CREATE TABLE incident (
    id              ${auto_id},
    title           TEXT         NOT NULL,
    category        VARCHAR(50)  NOT NULL,
    severity        VARCHAR(20)  NOT NULL,
    suspected_node  VARCHAR(200) NOT NULL,
    state           VARCHAR(20)  NOT NULL,
    signals         INTEGER      NOT NULL,
    nodes           TEXT         NOT NULL,
    detected_at     BIGINT       NOT NULL,
    last_signal_at  BIGINT       NOT NULL,
    acknowledged_at BIGINT,
    mitigated_at    BIGINT,
    resolved_at     BIGINT
);

CREATE INDEX incident_state ON incident (state);
