-- Each job log's recent progress (losses, step times, the last iteration and when it came), so
-- that loss spikes, throughput drops and stalls are judged against the same history by every
-- replica, and after a restart.
CREATE TABLE job_progress (
    node       VARCHAR(253) NOT NULL,
    source     VARCHAR(512) NOT NULL,
    history    TEXT         NOT NULL,
    updated_at BIGINT       NOT NULL,
    PRIMARY KEY (node, source)
);
