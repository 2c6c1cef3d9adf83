-- Tenants of the gateway and the API keys they call it with. Keys are stored as SHA-256
-- digests only; the prefix is kept so that people can tell their keys apart in listings.
CREATE TABLE tenant (
    id         ${auto_id},
    name       VARCHAR(100) NOT NULL UNIQUE,
    created_at BIGINT       NOT NULL
);

CREATE TABLE api_key (
    id         ${auto_id},
    tenant_id  BIGINT       NOT NULL REFERENCES tenant (id),
    prefix     VARCHAR(20)  NOT NULL,
    digest     VARCHAR(64)  NOT NULL UNIQUE,
    created_at BIGINT       NOT NULL,
    revoked_at BIGINT
);

CREATE INDEX api_key_tenant ON api_key (tenant_id);
