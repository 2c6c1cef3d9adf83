-- Each node's GPUs as its agent last read them with nvidia-smi -q -x: one row per node, the GPUs
-- as a JSON array (model, bus id, driver, CUDA, VBIOS, serial, UUID, memory, ECC, persistence
-- and MIG modes). Times are epoch milliseconds (UTC).
CREATE TABLE node_inventory (
    node        VARCHAR(200) NOT NULL PRIMARY KEY,
    updated_at  BIGINT       NOT NULL,
    gpus        TEXT         NOT NULL
);
