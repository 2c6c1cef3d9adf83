package dev.pitwall.gateway.auth;

/** A key just created: the only time its secret is known. */
public record IssuedKey(ApiKey key, String secret) {
}
