package dev.pitwall.gateway.auth;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.storage.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * Tenants' API keys. A key is 32 random bytes; only its SHA-256 digest is stored. A fast digest
 * is enough here because the keys are random and long (no dictionary to try), unlike
 * passwords; it keeps the lookup on every request cheap. Creating and revoking keys is recorded
 * in the audit log.
 */
public final class ApiKeys {

    public static final String KEY_PREFIX = "pw-";
    private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final int PREFIX_LENGTH = 10;
    private static final int MAX_REMEMBERED = 100_000;

    /**
     * How long a key's tenant is remembered. Every request presents a key; remembering spares the
     * store a query each time. A key revoked here is forgotten at once; one revoked through
     * another replica sharing the store stops working within this time.
     */
    static final Duration REMEMBER = Duration.ofSeconds(10);

    private record Remembered(Optional<String> tenant, long untilNanos) {
    }

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

    public ApiKeys(Database database, AuditLog audit, Clock clock) {
        this.jdbi = database.jdbi();
        this.audit = audit;
        this.clock = clock;
    }

    /** True when {@code name} can name a tenant: lower-case letters, digits, '.', '_', '-'. */
    public static boolean validTenant(String name) {
        return name != null && TENANT.matcher(name).matches();
    }

    /** Issues a key for {@code tenant}, creating the tenant on its first key. */
    public IssuedKey create(String tenant, String actor) {
        if (!validTenant(tenant)) {
            throw new IllegalArgumentException("tenant names are lower-case letters, digits, '.', '_' and '-'");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        long now = clock.millis();
        ApiKey key = jdbi.inTransaction(handle -> {
            Optional<Long> existing = handle.createQuery("SELECT id FROM tenant WHERE name = :name")
                    .bind("name", tenant).mapTo(Long.class).findOne();
            long tenantId = existing.orElseGet(() -> handle.createUpdate(
                            "INSERT INTO tenant (name, created_at) VALUES (:name, :now)")
                    .bind("name", tenant).bind("now", now)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
            long id = handle.createUpdate("""
                            INSERT INTO api_key (tenant_id, prefix, digest, created_at)
                            VALUES (:tenant, :prefix, :digest, :now)""")
                    .bind("tenant", tenantId).bind("prefix", secret.substring(0, PREFIX_LENGTH))
                    .bind("digest", digest(secret)).bind("now", now)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            return new ApiKey(id, tenant, secret.substring(0, PREFIX_LENGTH), Instant.ofEpochMilli(now), null);
        });
        audit.record(actor, "api-key.create", "key " + key.id(), "tenant " + tenant + ", prefix " + key.prefix());
        return new IssuedKey(key, secret);
    }

    /** The tenant a presented key belongs to, if the key exists and is not revoked. */
    public Optional<String> tenantOf(String secret) {
        if (secret == null || !secret.startsWith(KEY_PREFIX)) {
            return Optional.empty();
        }
        String digest = digest(secret);
        long now = System.nanoTime();
        Remembered known = remembered.get(digest);
        if (known != null && now - known.untilNanos() < 0) {
            return known.tenant();
        }
        Optional<String> tenant = jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT t.name FROM api_key k JOIN tenant t ON t.id = k.tenant_id
                        WHERE k.digest = :digest AND k.revoked_at IS NULL""")
                .bind("digest", digest).mapTo(String.class).findOne());
        if (remembered.size() > MAX_REMEMBERED) {
            remembered.clear(); // a flood of made-up keys must not grow the map without bound
        }
        remembered.put(digest, new Remembered(tenant, now + REMEMBER.toNanos()));
        return tenant;
    }

    public List<ApiKey> list() {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT k.id, t.name, k.prefix, k.created_at, k.revoked_at
                        FROM api_key k JOIN tenant t ON t.id = k.tenant_id ORDER BY k.id""")
                .map((rs, ctx) -> {
                    long revoked = rs.getLong("revoked_at");
                    // wasNull speaks of the last column read: ask it before reading another.
                    Instant revokedAt = rs.wasNull() ? null : Instant.ofEpochMilli(revoked);
                    return new ApiKey(rs.getLong("id"), rs.getString("name"), rs.getString("prefix"),
                            Instant.ofEpochMilli(rs.getLong("created_at")), revokedAt);
                })
                .list());
    }

    /** Revokes key {@code id}; false when there is no such active key. */
    public boolean revoke(long id, String actor) {
        int changed = jdbi.withHandle(handle -> handle.createUpdate(
                        "UPDATE api_key SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                .bind("now", clock.millis()).bind("id", id).execute());
        if (changed > 0) {
            remembered.clear();
            audit.record(actor, "api-key.revoke", "key " + id, "");
        }
        return changed > 0;
    }

    private static String digest(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
