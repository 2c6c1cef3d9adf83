-- Service-level objectives set through the admin API; they take precedence over gateway.slos in
-- pitwall.yaml.
CREATE TABLE slo_definition (
    name         VARCHAR(64)  PRIMARY KEY,
    sli          VARCHAR(20)  NOT NULL,
    objective    DOUBLE PRECISION NOT NULL,
    window_days  INTEGER      NOT NULL,
    threshold_ms BIGINT,
    model        VARCHAR(200) NOT NULL,
    tenant       VARCHAR(100) NOT NULL,
    updated_at   BIGINT       NOT NULL
);

-- Good and total events per objective and minute, added to by every replica that shares the
-- store, so the budget is the fleet's. An objective's series names what it counts (indicator,
-- threshold, model, tenant): redefining it starts a new count rather than mixing two.
CREATE TABLE slo_events (
    series VARCHAR(400) NOT NULL,
    minute BIGINT       NOT NULL,
    good   BIGINT       NOT NULL,
    total  BIGINT       NOT NULL,
    PRIMARY KEY (series, minute)
);
