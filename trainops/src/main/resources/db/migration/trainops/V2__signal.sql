-- Signals: log lines a detection rule matched, as they arrived from nodes. Times are epoch
-- milliseconds (UTC); fields are the rule's named groups as JSON.
CREATE TABLE signal (
    id          ${auto_id},
    received_at BIGINT       NOT NULL,
    node        VARCHAR(200) NOT NULL,
    source      VARCHAR(100) NOT NULL,
    rule        VARCHAR(100) NOT NULL,
    category    VARCHAR(50)  NOT NULL,
    severity    VARCHAR(20)  NOT NULL,
    fields      TEXT         NOT NULL,
    meaning     TEXT         NOT NULL,
    action      TEXT         NOT NULL,
    text        TEXT         NOT NULL
);

CREATE INDEX signal_received_at ON signal (received_at);
CREATE INDEX signal_node ON signal (node);
