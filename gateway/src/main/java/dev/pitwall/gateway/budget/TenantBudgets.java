package dev.pitwall.gateway.budget;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.storage.Database;
import dev.pitwall.gateway.admission.Priority;
import dev.pitwall.gateway.overrides.Overrides;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Handle;

/**
 * Tenants' budgets: those of {@code gateway.tenants} in config, overridden by those set through
 * the admin API (table {@code tenant_budget}).
 */
public final class TenantBudgets extends Overrides<TenantBudget> {

    public TenantBudgets(Database database, AuditLog audit, Clock clock, List<TenantBudget> fromConfig) {
        super(database, audit, clock, fromConfig, "tenant_budget", "tenant-budget", "tenant");
    }

    /** The budget {@code tenant}'s requests are held to: the API's, else config's, else none. */
    public TenantBudget of(String tenant) {
        return value(tenant).orElseGet(() -> TenantBudget.unlimited(tenant));
    }

    @Override
    protected String nameOf(TenantBudget budget) {
        return budget.name();
    }

    @Override
    protected List<TenantBudget> readAll(Handle handle) {
        return handle.createQuery("SELECT name, rpm, tpm, max_streams, priority FROM tenant_budget ORDER BY name")
                .map((rs, ctx) -> new TenantBudget(rs.getString("name"), rs.getLong("rpm"), rs.getLong("tpm"),
                        rs.getInt("max_streams"), Priority.valueOf(rs.getString("priority").toUpperCase(Locale.ROOT))))
                .list();
    }

    @Override
    protected void write(Handle handle, TenantBudget budget, long nowMillis) {
        handle.createUpdate("""
                        INSERT INTO tenant_budget (name, rpm, tpm, max_streams, priority, updated_at)
                        VALUES (:name, :rpm, :tpm, :streams, :priority, :now)
                        ON CONFLICT (name) DO UPDATE SET rpm = excluded.rpm, tpm = excluded.tpm,
                            max_streams = excluded.max_streams, priority = excluded.priority,
                            updated_at = excluded.updated_at""")
                .bind("name", budget.name()).bind("rpm", budget.rpm()).bind("tpm", budget.tpm())
                .bind("streams", budget.maxStreams()).bind("priority", budget.priority().label())
                .bind("now", nowMillis).execute();
    }

    @Override
    protected String describe(TenantBudget b) {
        return "rpm " + b.rpm() + ", tpm " + b.tpm() + ", max_streams " + b.maxStreams() + ", priority "
                + b.priority().label();
    }
}
