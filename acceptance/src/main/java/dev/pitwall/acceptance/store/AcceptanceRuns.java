package dev.pitwall.acceptance.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.acceptance.report.AcceptanceReport;
import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.jdbi.v3.core.Jdbi;

/** Acceptance runs kept in the store, with their reports, for the console and the API. */
public final class AcceptanceRuns {

    /** The acceptance module's tables, migrated from {@code db/migration/acceptance}. */
    public static final String MODULE = "acceptance";

    /** A stored run as listings show it. */
    public record Summary(long id, String name, Instant createdAt, Verdict verdict, String profile, int nodes,
                          int failedNodes, int findings) {
    }

    private final Jdbi jdbi;
    private final Clock clock;

    public AcceptanceRuns(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
    }

    /** Stores the evaluation with its HTML report; returns the run's id. */
    public long save(String name, String profile, Evaluation evaluation) {
        return insert(name, profile, evaluation, json(evaluation), AcceptanceReport.html(name, profile, evaluation));
    }

    /** Stores the evaluation with a report of its own (a stress test's, with its scales); returns the run's id. */
    public long save(String name, Evaluation evaluation, String reportHtml) {
        return insert(name, null, evaluation, json(evaluation), reportHtml);
    }

    /**
     * The run already stored under {@code name} with this very evaluation, or a new one: a run
     * repeated on the same outputs (the demo at each start) is kept once.
     */
    public long saveUnlessStored(String name, String profile, Evaluation evaluation) {
        String json = json(evaluation);
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id FROM acceptance_run WHERE name = :name AND evaluation = :evaluation
                        ORDER BY id DESC LIMIT 1""")
                .bind("name", name).bind("evaluation", json).mapTo(Long.class).findOne())
                .orElseGet(() -> insert(name, profile, evaluation, json, AcceptanceReport.html(name, profile, evaluation)));
    }

    private static String json(Evaluation evaluation) {
        try {
            return Json.mapper().writeValueAsString(evaluation);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an evaluation could not be written as JSON", e);
        }
    }

    private long insert(String name, String profile, Evaluation evaluation, String json, String html) {
        long failed = evaluation.nodes().values().stream().filter(v -> v == Verdict.FAIL).count();
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO acceptance_run (name, created_at, verdict, profile, nodes, failed_nodes, findings,
                                                    evaluation, report_html)
                        VALUES (:name, :at, :verdict, :profile, :nodes, :failed, :findings, :evaluation, :html)""")
                .bind("name", name)
                .bind("at", clock.millis())
                .bind("verdict", evaluation.verdict().name())
                .bind("profile", profile)
                .bind("nodes", evaluation.nodes().size())
                .bind("failed", (int) failed)
                .bind("findings", evaluation.findings().size())
                .bind("evaluation", json)
                .bind("html", html)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    /** The newest runs first. */
    public List<Summary> recent(int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, name, created_at, verdict, profile, nodes, failed_nodes, findings
                        FROM acceptance_run ORDER BY id DESC LIMIT :limit""")
                .bind("limit", limit)
                .map((rs, ctx) -> new Summary(rs.getLong("id"), rs.getString("name"),
                        Instant.ofEpochMilli(rs.getLong("created_at")), Verdict.valueOf(rs.getString("verdict")),
                        rs.getString("profile"), rs.getInt("nodes"), rs.getInt("failed_nodes"), rs.getInt("findings")))
                .list());
    }

    /** One figure of every node of a stored run that measured it. */
    public record NodeFigure(long runId, String runName, Instant createdAt, Map<String, Double> byNode) {
    }

    /**
     * {@code figure} (a {@link dev.pitwall.acceptance.verdict.NodeFigures} name) of each node in the
     * newest stored run that has it for any node; empty when none has. Runs are read newest first and
     * only until one has it.
     */
    public Optional<NodeFigure> newestFigure(String figure) {
        return jdbi.withHandle(h -> {
            try (var rows = h.createQuery("SELECT id, name, created_at, evaluation FROM acceptance_run ORDER BY id DESC")
                    .setFetchSize(16).map((rs, ctx) -> {
                        Map<String, Double> byNode = new TreeMap<>();
                        try {
                            Json.mapper().readTree(rs.getString("evaluation")).path("figures").properties()
                                    .forEach(node -> {
                                        JsonNode value = node.getValue().path(figure).path("value");
                                        if (value.isNumber()) {
                                            byNode.put(node.getKey(), value.asDouble());
                                        }
                                    });
                        } catch (JsonProcessingException e) {
                            throw new IllegalStateException("acceptance run " + rs.getLong("id")
                                    + " holds an evaluation that is not JSON", e);
                        }
                        return new NodeFigure(rs.getLong("id"), rs.getString("name"),
                                Instant.ofEpochMilli(rs.getLong("created_at")), byNode);
                    }).stream()) {
                return rows.filter(r -> !r.byNode().isEmpty()).findFirst();
            }
        });
    }

    /** A stored run with its evaluation, as the integration report reads it. */
    public record Stored(Summary summary, Evaluation evaluation) {
    }

    /** The newest run of {@code kind}; empty when none is stored. */
    public Optional<Stored> newest(RunKind kind) {
        return newest("name LIKE :prefix", kind.prefix() + "%", e -> true);
    }

    /**
     * The newest tool-output run (of no integration kind) whose nodes have a figure named with
     * {@code figurePrefix} ({@code nccl.}, {@code fio.}); empty when none.
     */
    public Optional<Stored> newestMeasuring(String figurePrefix) {
        return newest("1 = 1", null, e -> e.figures().values().stream()
                .anyMatch(figures -> figures.keySet().stream().anyMatch(f -> f.startsWith(figurePrefix))));
    }

    private Optional<Stored> newest(String where, String prefix, Predicate<Evaluation> wanted) {
        return jdbi.withHandle(h -> {
            // where is one of this class's own conditions, never a caller's text.
            var query = h.createQuery("SELECT id, name, created_at, verdict, profile, nodes, failed_nodes, findings, "
                    + "evaluation FROM acceptance_run WHERE " + where + " ORDER BY id DESC").setFetchSize(16);
            if (prefix != null) {
                query.bind("prefix", prefix);
            }
            try (var rows = query.map((rs, ctx) -> {
                try {
                    return new Stored(new Summary(rs.getLong("id"), rs.getString("name"),
                            Instant.ofEpochMilli(rs.getLong("created_at")), Verdict.valueOf(rs.getString("verdict")),
                            rs.getString("profile"), rs.getInt("nodes"), rs.getInt("failed_nodes"), rs.getInt("findings")),
                            Json.mapper().readValue(rs.getString("evaluation"), Evaluation.class));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("acceptance run " + rs.getLong("id")
                            + " holds an evaluation that is not JSON", e);
                }
            }).stream()) {
                return rows.filter(r -> prefix != null || Arrays.stream(RunKind.values())
                        .noneMatch(k -> r.summary().name().startsWith(k.prefix()))).filter(r -> wanted.test(r.evaluation()))
                        .findFirst();
            }
        });
    }

    public Optional<String> reportHtml(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT report_html FROM acceptance_run WHERE id = :id")
                .bind("id", id).mapTo(String.class).findOne());
    }
}
