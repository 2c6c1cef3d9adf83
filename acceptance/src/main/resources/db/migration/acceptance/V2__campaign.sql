-- Campaigns: the plan as it was started (so a restarted Pitwall resumes the same one), each stage
-- of each round as it starts and ends (a stage is never run twice), what each round measured on
-- each node (the trends are computed from these rows), and every finding with its evidence.
CREATE TABLE campaign (
    id          ${auto_id},
    name        VARCHAR(200) NOT NULL,
    plan        TEXT         NOT NULL,
    profile     VARCHAR(100),
    nodes       TEXT         NOT NULL,
    folder      TEXT         NOT NULL,
    started_at  BIGINT       NOT NULL,
    ends_at     BIGINT       NOT NULL,
    finished_at BIGINT
);

CREATE TABLE campaign_stage (
    campaign_id BIGINT       NOT NULL,
    round_no    INTEGER      NOT NULL,
    stage       VARCHAR(100) NOT NULL,
    started_at  BIGINT       NOT NULL,
    finished_at BIGINT,
    outcome     VARCHAR(20)  NOT NULL,
    nodes       INTEGER      NOT NULL,
    PRIMARY KEY (campaign_id, round_no, stage)
);

CREATE TABLE campaign_node_round (
    campaign_id BIGINT       NOT NULL,
    node        VARCHAR(200) NOT NULL,
    round_no    INTEGER      NOT NULL,
    figures     TEXT         NOT NULL,
    counters    TEXT         NOT NULL,
    stages      TEXT         NOT NULL,
    PRIMARY KEY (campaign_id, node, round_no)
);

CREATE TABLE campaign_finding (
    id          ${auto_id},
    campaign_id BIGINT       NOT NULL,
    round_no    INTEGER      NOT NULL,
    stage       VARCHAR(100) NOT NULL,
    node        VARCHAR(200) NOT NULL,
    check_name  VARCHAR(300) NOT NULL,
    verdict     VARCHAR(10)  NOT NULL,
    found       TEXT         NOT NULL,
    expected    TEXT         NOT NULL,
    detail      TEXT         NOT NULL,
    evidence    TEXT         NOT NULL
);

CREATE INDEX campaign_finding_campaign ON campaign_finding (campaign_id, node);
