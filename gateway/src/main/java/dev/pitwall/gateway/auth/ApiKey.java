package dev.pitwall.gateway.auth;

import java.time.Instant;

/**
 * An API key as listings show it: never the key itself, which exists only in the answer that
 * created it.
 *
 * @param prefix the key's first characters, to tell keys apart
 */
public record ApiKey(long id, String tenant, String prefix, Instant createdAt, Instant revokedAt) {

    public boolean active() {
        return revokedAt == null;
    }
}
