-- When a signal's line was written on its node (the agent's or shipper's timestamp; null when the
-- sender gave none), and which incident it joined: an incident's timeline and its time to detect
-- (detected_at - started_at, started_at being its earliest signal's occurrence).
ALTER TABLE signal ADD COLUMN occurred_at BIGINT;
ALTER TABLE signal ADD COLUMN incident_id BIGINT;
ALTER TABLE incident ADD COLUMN started_at BIGINT;
CREATE INDEX signal_incident ON signal (incident_id);
