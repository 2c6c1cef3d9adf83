package dev.pitwall.gateway.budget;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.storage.Database;
import dev.pitwall.gateway.admission.Priority;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Tenants' budgets: those of {@code gateway.tenants} in config, overridden by those set through
 * the admin API (kept in the store, so every replica sharing it sees them). Every change is
 * audited. Budgets are read on every request, so the store's are remembered for a few seconds;
 * a change made here is seen here at once, one made through another replica within that time.
 */
public final class TenantBudgets {

    /** Where a budget comes from. */
    public enum Source {
        CONFIG, API;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A budget and where it was set. */
    public record Entry(TenantBudget budget, Source source) {
    }

    static final Duration REMEMBER = Duration.ofSeconds(5);

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final Map<String, TenantBudget> configured = new LinkedHashMap<>();
    private volatile Map<String, TenantBudget> stored;
    private volatile long storedUntilNanos;

    public TenantBudgets(Database database, AuditLog audit, Clock clock, List<TenantBudget> fromConfig) {
        this.jdbi = database.jdbi();
        this.audit = audit;
        this.clock = clock;
        fromConfig.forEach(budget -> configured.put(budget.name(), budget));
    }

    /** The budget {@code tenant}'s requests are held to: the API's, else config's, else none. */
    public TenantBudget of(String tenant) {
        TenantBudget set = stored().get(tenant);
        if (set != null) {
            return set;
        }
        return configured.getOrDefault(tenant, TenantBudget.unlimited(tenant));
    }

    public Optional<Entry> find(String tenant) {
        TenantBudget set = stored().get(tenant);
        if (set != null) {
            return Optional.of(new Entry(set, Source.API));
        }
        return Optional.ofNullable(configured.get(tenant)).map(b -> new Entry(b, Source.CONFIG));
    }

    /** Every budget, by tenant name. */
    public List<Entry> list() {
        Map<String, Entry> all = new java.util.TreeMap<>();
        configured.forEach((name, budget) -> all.put(name, new Entry(budget, Source.CONFIG)));
        stored().forEach((name, budget) -> all.put(name, new Entry(budget, Source.API)));
        return new ArrayList<>(all.values());
    }

    /** Sets {@code budget} through the API; true when the tenant had no API budget before. */
    public boolean put(TenantBudget budget, String actor) {
        boolean created = jdbi.inTransaction(handle -> {
            boolean existed = handle.createQuery("SELECT COUNT(*) FROM tenant_budget WHERE name = :name")
                    .bind("name", budget.name()).mapTo(Integer.class).one() > 0;
            handle.createUpdate("""
                            INSERT INTO tenant_budget (name, rpm, tpm, max_streams, priority, updated_at)
                            VALUES (:name, :rpm, :tpm, :streams, :priority, :now)
                            ON CONFLICT (name) DO UPDATE SET rpm = excluded.rpm, tpm = excluded.tpm,
                                max_streams = excluded.max_streams, priority = excluded.priority,
                                updated_at = excluded.updated_at""")
                    .bind("name", budget.name()).bind("rpm", budget.rpm()).bind("tpm", budget.tpm())
                    .bind("streams", budget.maxStreams()).bind("priority", budget.priority().label())
                    .bind("now", clock.millis()).execute();
            return !existed;
        });
        forget();
        audit.record(actor, created ? "tenant-budget.create" : "tenant-budget.update", "tenant " + budget.name(),
                describe(budget));
        return created;
    }

    /** Removes the API's budget of {@code tenant} (config's, if any, applies again); false when it had none. */
    public boolean delete(String tenant, String actor) {
        int deleted = jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM tenant_budget WHERE name = :name")
                .bind("name", tenant).execute());
        forget();
        if (deleted > 0) {
            audit.record(actor, "tenant-budget.delete", "tenant " + tenant, "");
        }
        return deleted > 0;
    }

    private static String describe(TenantBudget b) {
        return "rpm " + b.rpm() + ", tpm " + b.tpm() + ", max_streams " + b.maxStreams() + ", priority "
                + b.priority().label();
    }

    private void forget() {
        storedUntilNanos = System.nanoTime();
        stored = null;
    }

    private Map<String, TenantBudget> stored() {
        Map<String, TenantBudget> known = stored;
        if (known != null && System.nanoTime() - storedUntilNanos < 0) {
            return known;
        }
        Map<String, TenantBudget> read = new LinkedHashMap<>();
        jdbi.useHandle(handle -> handle.createQuery(
                        "SELECT name, rpm, tpm, max_streams, priority FROM tenant_budget ORDER BY name")
                .map((rs, ctx) -> new TenantBudget(rs.getString("name"), rs.getLong("rpm"), rs.getLong("tpm"),
                        rs.getInt("max_streams"), Priority.valueOf(rs.getString("priority").toUpperCase(Locale.ROOT))))
                .forEach(b -> read.put(b.name(), b)));
        stored = read;
        storedUntilNanos = System.nanoTime() + REMEMBER.toNanos();
        return read;
    }
}
