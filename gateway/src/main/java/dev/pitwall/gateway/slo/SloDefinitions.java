package dev.pitwall.gateway.slo;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.config.DurationText;
import dev.pitwall.core.storage.Database;
import dev.pitwall.gateway.overrides.Overrides;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The objectives in force: those of {@code gateway.slos} in config, overridden by those set
 * through the admin API (table {@code slo_definition}).
 */
public final class SloDefinitions extends Overrides<SloSpec> {

    public SloDefinitions(Database database, AuditLog audit, Clock clock, List<SloSpec> fromConfig) {
        super(database, audit, clock, fromConfig, "slo_definition", "slo", "slo");
    }

    @Override
    protected String nameOf(SloSpec spec) {
        return spec.name();
    }

    @Override
    protected List<SloSpec> readAll(Handle handle) {
        return handle.createQuery("""
                        SELECT name, sli, objective, window_days, threshold_ms, model, tenant
                        FROM slo_definition ORDER BY name""")
                .map((rs, ctx) -> {
                    long threshold = rs.getLong("threshold_ms");
                    boolean noThreshold = rs.wasNull();
                    return new SloSpec(rs.getString("name"), SliKind.parse(rs.getString("sli")).orElseThrow(),
                            rs.getDouble("objective"), Duration.ofDays(rs.getInt("window_days")),
                            noThreshold ? null : Duration.ofMillis(threshold), rs.getString("model"),
                            rs.getString("tenant"));
                })
                .list();
    }

    @Override
    protected void write(Handle handle, SloSpec spec, long nowMillis) {
        handle.createUpdate("""
                        INSERT INTO slo_definition (name, sli, objective, window_days, threshold_ms, model, tenant,
                            updated_at)
                        VALUES (:name, :sli, :objective, :days, :threshold, :model, :tenant, :now)
                        ON CONFLICT (name) DO UPDATE SET sli = excluded.sli, objective = excluded.objective,
                            window_days = excluded.window_days, threshold_ms = excluded.threshold_ms,
                            model = excluded.model, tenant = excluded.tenant, updated_at = excluded.updated_at""")
                .bind("name", spec.name()).bind("sli", spec.sli().label()).bind("objective", spec.objective())
                .bind("days", spec.window().toDays())
                .bind("threshold", spec.threshold() == null ? null : spec.threshold().toMillis())
                .bind("model", spec.model()).bind("tenant", spec.tenant()).bind("now", nowMillis).execute();
    }

    @Override
    protected String describe(SloSpec spec) {
        return promise(spec);
    }

    /** One line saying what {@code spec} promises, as the audit log, the console and the alerts say it. */
    public static String promise(SloSpec spec) {
        String what = switch (spec.sli()) {
            case AVAILABILITY -> "answered without a server-side error";
            case TTFT -> "first token within " + DurationText.format(spec.threshold());
            case LATENCY -> "answered within " + DurationText.format(spec.threshold());
        };
        String scope = (spec.model().isEmpty() ? "every model" : "model " + spec.model())
                + (spec.tenant().isEmpty() ? "" : ", tenant " + spec.tenant());
        return spec.objectiveText() + " % " + what + " over " + DurationText.format(spec.window()) + " (" + scope + ")";
    }
}
