-- When each node was first and last heard from (a log line, metrics or its inventory, by the
-- lines' own times where senders give them), so that reliability figures count the node-time
-- actually observed rather than the period times the nodes.
CREATE TABLE node_seen (
    node       VARCHAR(253) PRIMARY KEY,
    first_seen BIGINT       NOT NULL,
    last_seen  BIGINT       NOT NULL
);

-- Nodes known from before: from their first stored signal and their inventory.
INSERT INTO node_seen (node, first_seen, last_seen)
SELECT node, MIN(COALESCE(occurred_at, received_at)), MAX(COALESCE(occurred_at, received_at))
FROM signal GROUP BY node;
