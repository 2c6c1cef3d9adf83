package dev.pitwall.gateway.prompt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.Dialect;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named prompts in the store: versions (never changed once created), labels that move between
 * them, the history of those moves, and each prompt's rollout. Every change is audited. The
 * request path reads a snapshot of labels and rollouts that this replica reads anew when any
 * replica sharing the store changes them (PostgreSQL LISTEN/NOTIFY), and in any case every
 * {@value #REFRESH_MILLIS} ms on SQLite, every {@value #REFRESH_LISTENING_MILLIS} ms on
 * PostgreSQL, so a change serves everywhere within a second; versions, never changing, are read once.
 */
public final class PromptRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PromptRegistry.class);
    static final int REFRESH_MILLIS = 500;
    static final int REFRESH_LISTENING_MILLIS = 5_000;
    private static final String CHANNEL = "pitwall_prompts";
    /** Who the audit log and the label history say rolled a canary back. */
    static final String ROLLBACK_ACTOR = "gateway";
    private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    /** A label move, as the history keeps it. */
    public record LabelMove(String label, int version, Integer previous, String reason, String actor, Instant at) {

        /** As the admin API and the Prompts page show it. */
        public ObjectNode toJson() {
            ObjectNode m = Json.mapper().createObjectNode().put("label", label).put("version", version);
            if (previous == null) {
                m.putNull("previous");
            } else {
                m.put("previous", previous);
            }
            return m.put("reason", reason).put("actor", actor).put("at", at.toString());
        }
    }

    /** What the request path reads: each prompt's labels and rollout. */
    private record Snapshot(Map<String, Map<String, Integer>> labels, Map<String, Rollout> rollouts,
                            Map<String, Integer> latest) {
    }

    private final Database database;
    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final Map<String, PromptTemplate> versions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("pitwall-prompt-refresh").factory());
    private volatile Snapshot snapshot;
    private final AutoCloseable listening;

    public PromptRegistry(Database database, AuditLog audit, Clock clock) {
        this.database = database;
        this.jdbi = database.jdbi();
        this.audit = audit;
        this.clock = clock;
        this.snapshot = read();
        this.listening = database.listen(CHANNEL, this::refresh);
        int every = database.dialect() == Dialect.POSTGRESQL ? REFRESH_LISTENING_MILLIS : REFRESH_MILLIS;
        refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }

    public static boolean validLabel(String label) {
        return label != null && LABEL.matcher(label).matches();
    }

    /** Creates the next version of {@code name} from {@code spec}; refused (nothing stored) when it does not parse. */
    public PromptTemplate createVersion(String name, JsonNode spec, String actor) {
        PromptTemplate parsed = PromptTemplate.parse(name, 1, spec); // refused here, before anything is written
        String text;
        try {
            text = Json.mapper().writeValueAsString(parsed.spec());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed prompt always writes", e);
        }
        int version = jdbi.inTransaction(handle -> {
            int next = handle.createQuery("SELECT COALESCE(MAX(version), 0) + 1 FROM prompt_version WHERE name = :name")
                    .bind("name", name).mapTo(Integer.class).one();
            handle.createUpdate("""
                            INSERT INTO prompt_version (name, version, spec, created_at, created_by)
                            VALUES (:name, :version, :spec, :now, :actor)""")
                    .bind("name", name).bind("version", next).bind("spec", text).bind("now", clock.millis())
                    .bind("actor", actor).execute();
            return next;
        });
        audit.record(actor, "prompt.version.create", "prompt " + name, "version " + version);
        changed();
        return PromptTemplate.parse(name, version, parsed.spec());
    }

    /** Points {@code label} of {@code name} at {@code version}, recording why. */
    public void moveLabel(String name, String label, int version, String actor, String reason) {
        if (version(name, version).isEmpty()) {
            throw new PromptProblem("version", "prompt " + name + " has no version " + version);
        }
        Integer previous = jdbi.inTransaction(handle -> {
            Optional<Integer> before = handle.createQuery(
                            "SELECT version FROM prompt_label WHERE name = :name AND label = :label")
                    .bind("name", name).bind("label", label).mapTo(Integer.class).findOne();
            long now = clock.millis();
            handle.createUpdate("""
                            INSERT INTO prompt_label (name, label, version, updated_at) VALUES (:name, :label, :version, :now)
                            ON CONFLICT (name, label) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at""")
                    .bind("name", name).bind("label", label).bind("version", version).bind("now", now).execute();
            handle.createUpdate("""
                            INSERT INTO prompt_label_history (name, label, version, previous, reason, actor, at)
                            VALUES (:name, :label, :version, :previous, :reason, :actor, :now)""")
                    .bind("name", name).bind("label", label).bind("version", version)
                    .bind("previous", before.orElse(null)).bind("reason", reason).bind("actor", actor)
                    .bind("now", now).execute();
            return before.orElse(null);
        });
        audit.record(actor, "prompt.label.move", "prompt " + name + ", label " + label,
                (previous == null ? "set to " : "from version " + previous + " to ") + version + ": " + reason);
        changed();
    }

    /** Sets how {@code name}'s traffic splits; every label of the split must point at a version. */
    public void setRollout(String name, Rollout rollout, String actor) {
        Map<String, Integer> labels = snapshot.labels().getOrDefault(name, Map.of());
        for (String label : rollout.split().keySet()) {
            if (!labels.containsKey(label)) {
                throw new PromptProblem("split." + label, "prompt " + name + " has no label " + label
                        + "; its labels: " + (labels.isEmpty() ? "none" : String.join(", ", labels.keySet())));
            }
        }
        String text = rollout.toJson().toString();
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO prompt_rollout (name, spec, updated_at) VALUES (:name, :spec, :now)
                        ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at""")
                .bind("name", name).bind("spec", text).bind("now", clock.millis()).execute());
        audit.record(actor, "prompt.rollout.set", "prompt " + name, text);
        changed();
    }

    /**
     * Takes {@code label}'s share of {@code name}'s rollout to 0 (production takes it), recording
     * why in the label history and the audit log; false when the rollout gave it none already.
     */
    public synchronized boolean rollBack(String name, String label, String reason) {
        Optional<Rollout> current = rollout(name);
        if (current.isEmpty() || current.get().split().getOrDefault(label, 0) == 0) {
            return false;
        }
        Rollout rolledBack = current.get().withoutShare(label, PromptStage.DEFAULT_LABEL);
        int version = labelled(name, label).orElse(0);
        long now = clock.millis();
        jdbi.useTransaction(handle -> {
            handle.createUpdate("UPDATE prompt_rollout SET spec = :spec, updated_at = :now WHERE name = :name")
                    .bind("spec", rolledBack.toJson().toString()).bind("now", now).bind("name", name).execute();
            handle.createUpdate("""
                            INSERT INTO prompt_label_history (name, label, version, previous, reason, actor, at)
                            VALUES (:name, :label, :version, :version, :reason, :actor, :now)""")
                    .bind("name", name).bind("label", label).bind("version", version).bind("reason", reason)
                    .bind("actor", ROLLBACK_ACTOR).bind("now", now).execute();
        });
        audit.record(ROLLBACK_ACTOR, "prompt.rollback", "prompt " + name + ", label " + label, reason);
        LOG.warn("Prompt {}: {} {}", name, label, reason);
        changed();
        return true;
    }

    /**
     * Makes the store say what {@code file} says: its versions that are new are added (one
     * differing from a stored version of the same number is refused: versions never change), its
     * labels moved, its rollout set. Everything is checked before anything is written, so a file
     * that is wrong anywhere changes nothing.
     *
     * @param source how the history and audit log name the file
     */
    public synchronized void apply(PromptFile file, String source) {
        String name = file.name();
        int stored = snapshot.latest().getOrDefault(name, 0);
        for (PromptTemplate version : file.versions()) {
            Optional<PromptTemplate> existing = version.version() <= stored ? version(name, version.version())
                    : Optional.empty();
            if (existing.isPresent() && !existing.get().spec().equals(version.spec())) {
                throw new PromptProblem("versions[" + (version.version() - 1) + "]", "version " + version.version()
                        + " differs from the stored one; a version never changes: add a new one at the end");
            }
        }
        int highest = Math.max(stored, file.versions().size());
        file.labels().forEach((label, version) -> {
            if (version > highest) {
                throw new PromptProblem("labels." + label, "labels." + label + " points at version " + version
                        + ", which neither the file nor the store has");
            }
        });
        if (file.rollout() != null) {
            for (String label : file.rollout().split().keySet()) {
                if (!file.labels().containsKey(label) && labelled(name, label).isEmpty()) {
                    throw new PromptProblem("rollout.split." + label, "the rollout splits over label " + label
                            + ", which points at no version");
                }
            }
        }
        for (PromptTemplate version : file.versions()) {
            if (version.version() > stored) {
                String text = version.spec().toString();
                jdbi.useHandle(handle -> handle.createUpdate("""
                                INSERT INTO prompt_version (name, version, spec, created_at, created_by)
                                VALUES (:name, :version, :spec, :now, :actor) ON CONFLICT (name, version) DO NOTHING""")
                        .bind("name", name).bind("version", version.version()).bind("spec", text)
                        .bind("now", clock.millis()).bind("actor", source).execute());
                audit.record(source, "prompt.version.create", "prompt " + name, "version " + version.version());
            }
        }
        changed();
        file.labels().forEach((label, version) -> {
            if (!labelled(name, label).equals(Optional.of(version))) {
                moveLabel(name, label, version, source, "set in " + source);
            }
        });
        if (file.rollout() != null && !rollout(name).map(Rollout::toJson).equals(Optional.of(file.rollout().toJson()))) {
            setRollout(name, file.rollout(), source);
        }
    }

    public boolean exists(String name) {
        return snapshot.latest().containsKey(name);
    }

    /** Version {@code version} of {@code name}. */
    public Optional<PromptTemplate> version(String name, int version) {
        String key = name + "@" + version;
        PromptTemplate known = versions.get(key);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<PromptTemplate> read = jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT spec FROM prompt_version WHERE name = :name AND version = :version")
                .bind("name", name).bind("version", version).mapTo(String.class).findOne())
                .map(spec -> PromptTemplate.parse(name, version, Json.object(spec).orElseThrow()));
        read.ifPresent(t -> versions.put(key, t));
        return read;
    }

    /** The version {@code label} of {@code name} points at now. */
    public Optional<Integer> labelled(String name, String label) {
        return Optional.ofNullable(snapshot.labels().getOrDefault(name, Map.of()).get(label));
    }

    public Map<String, Integer> labels(String name) {
        return snapshot.labels().getOrDefault(name, Map.of());
    }

    public Optional<Rollout> rollout(String name) {
        return Optional.ofNullable(snapshot.rollouts().get(name));
    }

    /** Every prompt's name and latest version, by name. */
    public Map<String, Integer> latest() {
        return new TreeMap<>(snapshot.latest());
    }

    /** Every version of {@code name}, oldest first. */
    public List<PromptTemplate> versions(String name) {
        List<PromptTemplate> all = new ArrayList<>();
        for (int v = 1; v <= snapshot.latest().getOrDefault(name, 0); v++) {
            version(name, v).ifPresent(all::add);
        }
        return all;
    }

    /** {@code name}'s label moves, newest first. */
    public List<LabelMove> history(String name) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT label, version, previous, reason, actor, at FROM prompt_label_history
                        WHERE name = :name ORDER BY id DESC""")
                .bind("name", name)
                .map((rs, ctx) -> {
                    int previous = rs.getInt("previous");
                    Integer before = rs.wasNull() ? null : previous;
                    return new LabelMove(rs.getString("label"), rs.getInt("version"), before, rs.getString("reason"),
                            rs.getString("actor"), Instant.ofEpochMilli(rs.getLong("at")));
                })
                .list());
    }

    /** After a write: read it here at once, and tell the other replicas. */
    private void changed() {
        refresh();
        try {
            database.notify(CHANNEL);
        } catch (RuntimeException e) {
            LOG.warn("Other replicas could not be told of a prompt change ({}); they read it within {} s", e.getMessage(),
                    REFRESH_LISTENING_MILLIS / 1000);
        }
    }

    /** Reads labels and rollouts anew; a store that does not answer leaves the last snapshot serving. */
    void refresh() {
        try {
            snapshot = read();
        } catch (RuntimeException e) {
            LOG.warn("Prompt labels could not be read from the store ({}); the last ones read keep serving",
                    e.getMessage());
        }
    }

    private Snapshot read() {
        return jdbi.withHandle(handle -> {
            Map<String, Map<String, Integer>> labels = new HashMap<>();
            handle.createQuery("SELECT name, label, version FROM prompt_label")
                    .map((rs, ctx) -> new String[] {rs.getString("name"), rs.getString("label"),
                            String.valueOf(rs.getInt("version"))})
                    .forEach(r -> labels.computeIfAbsent(r[0], k -> new TreeMap<>()).put(r[1], Integer.parseInt(r[2])));
            Map<String, Integer> latest = new HashMap<>();
            handle.createQuery("SELECT name, MAX(version) AS latest FROM prompt_version GROUP BY name")
                    .map((rs, ctx) -> Map.entry(rs.getString("name"), rs.getInt("latest")))
                    .forEach(e -> latest.put(e.getKey(), e.getValue()));
            Map<String, Rollout> rollouts = new HashMap<>();
            handle.createQuery("SELECT name, spec FROM prompt_rollout")
                    .map((rs, ctx) -> Map.entry(rs.getString("name"), rs.getString("spec")))
                    .forEach(e -> rollouts.put(e.getKey(), Rollout.parse(e.getKey(), Json.object(e.getValue()).orElseThrow())));
            return new Snapshot(Map.copyOf(labels), Map.copyOf(rollouts), Map.copyOf(latest));
        });
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        try {
            listening.close();
        } catch (Exception e) {
            LOG.debug("the prompt listener did not stop", e);
        }
    }
}
