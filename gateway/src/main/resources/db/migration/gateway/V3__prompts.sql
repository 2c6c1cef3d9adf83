-- Prompt releases. A version's spec (messages and variables, JSON) never changes once written;
-- labels move between versions, each move kept in the history with why; a rollout splits a
-- prompt's traffic between its labels.
CREATE TABLE prompt_version (
    name       VARCHAR(100) NOT NULL,
    version    INTEGER      NOT NULL,
    spec       TEXT         NOT NULL,
    created_at BIGINT       NOT NULL,
    created_by VARCHAR(100) NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE prompt_label (
    name       VARCHAR(100) NOT NULL,
    label      VARCHAR(100) NOT NULL,
    version    INTEGER      NOT NULL,
    updated_at BIGINT       NOT NULL,
    PRIMARY KEY (name, label)
);

CREATE TABLE prompt_label_history (
    id       ${auto_id},
    name     VARCHAR(100) NOT NULL,
    label    VARCHAR(100) NOT NULL,
    version  INTEGER      NOT NULL,
    previous INTEGER,
    reason   VARCHAR(1000) NOT NULL,
    actor    VARCHAR(100) NOT NULL,
    at       BIGINT       NOT NULL
);

CREATE INDEX prompt_label_history_name ON prompt_label_history (name, id);

CREATE TABLE prompt_rollout (
    name       VARCHAR(100) PRIMARY KEY,
    spec       TEXT         NOT NULL,
    updated_at BIGINT       NOT NULL
);
