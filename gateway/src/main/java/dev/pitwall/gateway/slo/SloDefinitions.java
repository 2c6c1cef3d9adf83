package dev.pitwall.gateway.slo;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.config.DurationText;
import dev.pitwall.core.storage.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * The objectives in force: those of {@code gateway.slos} in config, overridden by those set
 * through the admin API (kept in the store, so every replica sharing it sees them). Every change
 * is audited. They are asked on every request, so the store's are remembered for a few seconds;
 * a change made here is seen here at once, one made through another replica within that time.
 */
public final class SloDefinitions {

    /** Where an objective comes from. */
    public enum Source {
        CONFIG, API;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An objective and where it was set. */
    public record Entry(SloSpec spec, Source source) {
    }

    static final Duration REMEMBER = Duration.ofSeconds(5);

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final Map<String, SloSpec> configured = new LinkedHashMap<>();
    private volatile List<Entry> known;
    private volatile long knownUntilNanos;

    public SloDefinitions(Database database, AuditLog audit, Clock clock, List<SloSpec> fromConfig) {
        this.jdbi = database.jdbi();
        this.audit = audit;
        this.clock = clock;
        fromConfig.forEach(spec -> configured.put(spec.name(), spec));
    }

    /** Every objective, by name. */
    public List<Entry> list() {
        List<Entry> entries = known;
        if (entries != null && System.nanoTime() - knownUntilNanos < 0) {
            return entries;
        }
        Map<String, Entry> all = new TreeMap<>();
        configured.forEach((name, spec) -> all.put(name, new Entry(spec, Source.CONFIG)));
        stored().forEach(spec -> all.put(spec.name(), new Entry(spec, Source.API)));
        entries = List.copyOf(all.values());
        known = entries;
        knownUntilNanos = System.nanoTime() + REMEMBER.toNanos();
        return entries;
    }

    /** The objectives alone, as the ledger counts them. */
    public List<SloSpec> specs() {
        return list().stream().map(Entry::spec).toList();
    }

    public Optional<Entry> find(String name) {
        return list().stream().filter(e -> e.spec().name().equals(name)).findFirst();
    }

    /** Sets {@code spec} through the API; true when it had no API definition before. */
    public boolean put(SloSpec spec, String actor) {
        boolean created = jdbi.inTransaction(handle -> {
            boolean existed = handle.createQuery("SELECT COUNT(*) FROM slo_definition WHERE name = :name")
                    .bind("name", spec.name()).mapTo(Integer.class).one() > 0;
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
                    .bind("model", spec.model()).bind("tenant", spec.tenant()).bind("now", clock.millis()).execute();
            return !existed;
        });
        forget();
        audit.record(actor, created ? "slo.create" : "slo.update", "slo " + spec.name(), describe(spec));
        return created;
    }

    /** Removes the API's definition of {@code name} (config's, if any, applies again); false when it had none. */
    public boolean delete(String name, String actor) {
        int deleted = jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM slo_definition WHERE name = :name")
                .bind("name", name).execute());
        forget();
        if (deleted > 0) {
            audit.record(actor, "slo.delete", "slo " + name, "");
        }
        return deleted > 0;
    }

    /** One line saying what {@code spec} promises, as the audit log and the console say it. */
    public static String describe(SloSpec spec) {
        String what = switch (spec.sli()) {
            case AVAILABILITY -> "answered without a server-side error";
            case TTFT -> "first token within " + DurationText.format(spec.threshold());
            case LATENCY -> "answered within " + DurationText.format(spec.threshold());
        };
        String scope = (spec.model().isEmpty() ? "every model" : "model " + spec.model())
                + (spec.tenant().isEmpty() ? "" : ", tenant " + spec.tenant());
        return spec.objectiveText() + " % " + what + " over " + DurationText.format(spec.window()) + " (" + scope + ")";
    }

    private void forget() {
        known = null;
    }

    private List<SloSpec> stored() {
        List<SloSpec> read = new ArrayList<>();
        jdbi.useHandle(handle -> handle.createQuery("""
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
                .forEach(read::add));
        return read;
    }
}
