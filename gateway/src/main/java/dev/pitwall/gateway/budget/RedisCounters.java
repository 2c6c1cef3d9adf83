package dev.pitwall.gateway.budget;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Budgets counted in Redis, shared by every gateway replica connected to it. Each check is one
 * Lua script run atomically by Redis (take, adjust, open a stream), never a read and a write
 * apart, so replicas driven at once cannot admit past the budget between them.
 */
final class RedisCounters implements BudgetCounters {

    /** Longer than any stream's total timeout: a place left by a replica that died frees after this. */
    static final Duration STREAM_LEASE = Duration.ofMinutes(15);

    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final Script take = Script.named("take", ScriptOutputType.MULTI);
    private final Script adjust = Script.named("adjust", ScriptOutputType.INTEGER);
    private final Script openStream = Script.named("open-stream", ScriptOutputType.INTEGER);

    RedisCounters(StatefulRedisConnection<String, String> connection) {
        this.connection = connection;
        this.redis = connection.sync();
    }

    @Override
    public Verdict take(TenantBudget budget, long tokens) {
        List<Object> r = take.run(redis, "pitwall:budget:" + budget.name(), String.valueOf(budget.rpm()),
                String.valueOf(budget.tpm()), String.valueOf(tokens));
        String denied = (String) r.get(0);
        return new Verdict(denied.isEmpty() ? null : denied, (Long) r.get(1), (Long) r.get(2), (Long) r.get(3),
                (Long) r.get(4), (Long) r.get(5));
    }

    @Override
    public void adjust(TenantBudget budget, long tokens) {
        if (budget.limitsTokens() && tokens != 0) {
            adjust.run(redis, "pitwall:budget:" + budget.name(), String.valueOf(budget.tpm()), String.valueOf(tokens));
        }
    }

    @Override
    public Optional<StreamSlot> openStream(TenantBudget budget) {
        String key = "pitwall:streams:" + budget.name();
        String id = UUID.randomUUID().toString();
        Long opened = openStream.run(redis, key, String.valueOf(budget.maxStreams()), id,
                String.valueOf(STREAM_LEASE.toMillis()));
        if (opened == 0) {
            return Optional.empty();
        }
        return Optional.of(() -> redis.zrem(key, id));
    }

    @Override
    public void close() {
        connection.close();
    }

    /** A Lua script shipped with the gateway, run by its digest and sent whole when Redis does not know it yet. */
    private record Script(String text, String sha1, ScriptOutputType output) {

        static Script named(String name, ScriptOutputType output) {
            String resource = "/gateway/budget/" + name + ".lua";
            try (InputStream in = RedisCounters.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is missing from the gateway module");
                }
                byte[] text = in.readAllBytes();
                return new Script(new String(text, StandardCharsets.UTF_8),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text)), output);
            } catch (IOException | NoSuchAlgorithmException e) {
                throw new IllegalStateException(resource + " cannot be read", e);
            }
        }

        @SuppressWarnings("unchecked")
        <T> T run(RedisCommands<String, String> redis, String key, String... args) {
            String[] keys = {key};
            try {
                return (T) redis.evalsha(sha1, output, keys, args);
            } catch (RedisNoScriptException e) {
                // A restarted or new Redis: the first run sends the script, which Redis then keeps.
                return (T) redis.eval(text, output, keys, args);
            }
        }
    }
}
