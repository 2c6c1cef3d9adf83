-- The nodes an incident names as suspects (a fault's first burst may take out several, as a
-- leaf switch does), comma-separated; empty while no hardware signal named one.
ALTER TABLE incident ADD COLUMN suspects TEXT;

-- One row every correlating transaction updates first: replicas sharing the store correlate one
-- batch at a time, so one fault pushed half to each still makes one incident.
CREATE TABLE incident_correlation (
    id    INTEGER PRIMARY KEY,
    turns BIGINT  NOT NULL
);
INSERT INTO incident_correlation (id, turns) VALUES (1, 0);
