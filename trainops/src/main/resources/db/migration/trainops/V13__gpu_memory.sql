-- Framebuffer memory the allocated GPUs of each node held, hour by hour (sums and sample counts of
-- dcgm-exporter's DCGM_FI_DEV_FB_USED, MiB), for a long run's memory growth. Hours are epoch
-- hours (UTC); a round adds to its hour's row.
CREATE TABLE gpu_memory_hour (
    node        VARCHAR(253)     NOT NULL,
    hour        BIGINT           NOT NULL,
    samples     INTEGER          NOT NULL,
    fb_used_sum DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (node, hour)
);
