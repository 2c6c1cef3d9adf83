-- One row per telemetry scrape round: how many GPUs reported, how many were allocated to a job
-- (dcgm-exporter's pod label set), and the summed activity of the allocated ones (SM activity in
-- percent, or GPU utilization where profiling metrics are off). Times are epoch milliseconds (UTC).
CREATE TABLE gpu_utilization (
    id              ${auto_id},
    at              BIGINT           NOT NULL,
    gpus            INTEGER          NOT NULL,
    allocated       INTEGER          NOT NULL,
    activity_sum    DOUBLE PRECISION NOT NULL
);

CREATE INDEX gpu_utilization_at ON gpu_utilization (at);
