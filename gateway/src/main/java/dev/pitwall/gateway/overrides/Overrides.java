package dev.pitwall.gateway.overrides;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.storage.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Named settings from the config, overridden by those set through the admin API and kept in the
 * store (so every replica sharing it sees them); every change is audited. They are read on the
 * request path, so the store's are remembered for {@link #REMEMBER}: a change made here is seen
 * here at once, one made through another replica within that time.
 *
 * @param <T> a setting, named by {@link #nameOf}
 */
public abstract class Overrides<T> {

    /** Where a setting comes from. */
    public enum Source {
        CONFIG, API;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A setting and where it was set. */
    public record Entry<T>(T value, Source source) {
    }

    public static final Duration REMEMBER = Duration.ofSeconds(5);

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final String table;
    private final String auditAction;
    private final String subject;
    private final Map<String, T> configured = new LinkedHashMap<>();
    /** What the store held when last read, with the entries and values in force then: read together. */
    private record Known<T>(Map<String, T> stored, List<Entry<T>> entries, List<T> values, long untilNanos) {
    }

    private volatile Known<T> known;

    /**
     * @param table       the store's table: a {@code name} column and whatever {@link #write} writes
     * @param auditAction the audit log's action prefix ({@code slo} gives {@code slo.create}, {@code slo.update}, …)
     * @param subject     what the audit log calls a setting ({@code tenant} gives the subject {@code tenant team-a})
     */
    protected Overrides(Database database, AuditLog audit, Clock clock, List<T> fromConfig, String table,
                        String auditAction, String subject) {
        this.jdbi = database.jdbi();
        this.audit = audit;
        this.clock = clock;
        this.table = table;
        this.auditAction = auditAction;
        this.subject = subject;
        fromConfig.forEach(value -> configured.put(nameOf(value), value));
    }

    protected abstract String nameOf(T value);

    /** Every setting in the store, by name. */
    protected abstract List<T> readAll(Handle handle);

    /** Inserts {@code value}, or replaces the one of its name. */
    protected abstract void write(Handle handle, T value, long nowMillis);

    /** What {@code value} sets, in a line, for the audit log. */
    protected abstract String describe(T value);

    /** The setting named {@code name}: the API's, else config's. */
    public Optional<T> value(String name) {
        T set = known().stored().get(name);
        return set != null ? Optional.of(set) : Optional.ofNullable(configured.get(name));
    }

    public Optional<Entry<T>> find(String name) {
        T set = known().stored().get(name);
        if (set != null) {
            return Optional.of(new Entry<>(set, Source.API));
        }
        return Optional.ofNullable(configured.get(name)).map(v -> new Entry<>(v, Source.CONFIG));
    }

    /** Every setting, by name. */
    public List<Entry<T>> list() {
        return known().entries();
    }

    /** The settings in force alone, by name: cheap enough for every request. */
    public List<T> values() {
        return known().values();
    }

    /** Sets {@code value} through the API; true when its name had no API setting before. */
    public boolean put(T value, String actor) {
        String name = nameOf(value);
        boolean created = jdbi.inTransaction(handle -> {
            boolean existed = handle.createQuery("SELECT COUNT(*) FROM " + table + " WHERE name = :name")
                    .bind("name", name).mapTo(Integer.class).one() > 0;
            write(handle, value, clock.millis());
            return !existed;
        });
        forget();
        audit.record(actor, auditAction + (created ? ".create" : ".update"), subject(name), describe(value));
        return created;
    }

    /** Removes the API's setting of {@code name} (config's, if any, applies again); false when it had none. */
    public boolean delete(String name, String actor) {
        int deleted = jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM " + table + " WHERE name = :name")
                .bind("name", name).execute());
        forget();
        if (deleted > 0) {
            audit.record(actor, auditAction + ".delete", subject(name), "");
        }
        return deleted > 0;
    }

    private String subject(String name) {
        return subject + " " + name;
    }

    private void forget() {
        known = null;
    }

    private Known<T> known() {
        Known<T> last = known;
        if (last != null && System.nanoTime() - last.untilNanos() < 0) {
            return last;
        }
        Map<String, T> read = new LinkedHashMap<>();
        jdbi.useHandle(handle -> readAll(handle).forEach(v -> read.put(nameOf(v), v)));
        Map<String, Entry<T>> all = new TreeMap<>();
        configured.forEach((name, value) -> all.put(name, new Entry<>(value, Source.CONFIG)));
        read.forEach((name, value) -> all.put(name, new Entry<>(value, Source.API)));
        List<Entry<T>> entries = List.copyOf(all.values());
        Known<T> fresh = new Known<>(read, entries, entries.stream().map(Entry::value).toList(),
                System.nanoTime() + REMEMBER.toNanos());
        known = fresh;
        return fresh;
    }
}
