package dev.pitwall.gateway.budget;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Budgets counted in Redis while it answers, and here, on a 1/N share of each budget, while it
 * does not: the gateway keeps serving, says so once in the log, counts each check made without
 * Redis, and tries Redis again every second until it is back.
 */
public final class SharedCounters implements BudgetCounters {

    private static final Logger LOG = LoggerFactory.getLogger(SharedCounters.class);
    /**
     * A check waits at most this long for Redis before it is counted here instead. Long enough
     * that a busy Redis (or a busy host) is still counted there: a check counted here on a share
     * admits past the shared budget.
     */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    static final Duration RETRY_EVERY = Duration.ofSeconds(1);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    private final RedisURI uri;
    private final RedisClient client;
    private final LocalCounters fallback;
    private final Counter checksWithoutRedis;
    private final AtomicLong retryAtNanos = new AtomicLong(System.nanoTime());
    private volatile RedisCounters redis;
    private volatile boolean down;

    /**
     * @param url      the Redis to share budgets through, {@code redis://host:port}
     * @param replicas gateway replicas sharing it: each counts a 1/replicas share while Redis is down
     */
    public SharedCounters(String url, int replicas, MeterRegistry registry, LongSupplier millis) {
        this.uri = RedisURI.create(url);
        uri.setTimeout(COMMAND_TIMEOUT);
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // Fail a check at once while disconnected rather than queue it behind a reconnect.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                // A Redis that does not answer must not hold a request (or the start) for long.
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .build());
        this.fallback = new LocalCounters(1.0 / replicas, millis);
        this.checksWithoutRedis = Counter.builder("pitwall.gateway.budget.checks.without.redis")
                .description("Budget checks counted locally, on a 1/N share, because Redis did not answer")
                .register(registry);
        Gauge.builder("pitwall.gateway.budget.redis.up", this, c -> c.down ? 0 : 1)
                .description("1 while tenant budgets are shared through Redis, 0 while counted locally")
                .register(registry);
        connect(); // before the first request, so that it is shared when Redis is there at start
    }

    @Override
    public Verdict take(TenantBudget budget, long tokens) {
        return shared(r -> r.take(budget, tokens), () -> fallback.take(budget, tokens));
    }

    @Override
    public void adjust(TenantBudget budget, long tokens) {
        shared(r -> {
            r.adjust(budget, tokens);
            return null;
        }, () -> {
            fallback.adjust(budget, tokens);
            return null;
        });
    }

    @Override
    public Optional<StreamSlot> openStream(TenantBudget budget) {
        Optional<StreamSlot> slot = shared(r -> r.openStream(budget), () -> fallback.openStream(budget));
        // A place taken in Redis is given back there; when Redis is gone by then, its lease frees it.
        return slot.map(s -> () -> {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.debug("a stream's place could not be given back to Redis; its lease will free it", e);
            }
        });
    }

    /** Whether budgets are shared through Redis right now. */
    public boolean sharing() {
        return !down;
    }

    private <T> T shared(Function<RedisCounters, T> inRedis, java.util.function.Supplier<T> here) {
        RedisCounters connected = connected();
        if (connected != null) {
            try {
                T result = inRedis.apply(connected);
                if (down) {
                    down = false;
                    LOG.info("Redis at {} answers again: tenant budgets are shared by every replica again", where());
                }
                return result;
            } catch (RuntimeException e) {
                wentDown(e);
            }
        }
        checksWithoutRedis.increment();
        return here.get();
    }

    /** The connection, opening it when there is none and a retry is due; null while Redis is unreachable. */
    private RedisCounters connected() {
        RedisCounters current = redis;
        if (current != null) {
            return current;
        }
        long due = retryAtNanos.get();
        if (System.nanoTime() - due < 0 || !retryAtNanos.compareAndSet(due, System.nanoTime() + RETRY_EVERY.toNanos())) {
            return null;
        }
        return connect();
    }

    private synchronized RedisCounters connect() {
        if (redis == null) {
            try {
                redis = new RedisCounters(client.connect());
            } catch (RuntimeException e) {
                wentDown(e);
            }
        }
        return redis;
    }

    private void wentDown(RuntimeException e) {
        if (!down) {
            down = true;
            LOG.warn("Redis at {} does not answer ({}): tenant budgets are counted by each replica on its own share "
                    + "until it is back", where(), e.getMessage());
        }
    }

    private String where() {
        return uri.getHost() + ":" + uri.getPort();
    }

    @Override
    public void close() {
        RedisCounters current = redis;
        if (current != null) {
            current.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
