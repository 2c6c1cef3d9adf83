-- Tenants' budgets set through the admin API; they take precedence over gateway.tenants in
-- pitwall.yaml. A tenant may have a budget before it has any key.
CREATE TABLE tenant_budget (
    name        VARCHAR(100) PRIMARY KEY,
    rpm         BIGINT       NOT NULL,
    tpm         BIGINT       NOT NULL,
    max_streams INTEGER      NOT NULL,
    priority    VARCHAR(10)  NOT NULL,
    updated_at  BIGINT       NOT NULL
);
