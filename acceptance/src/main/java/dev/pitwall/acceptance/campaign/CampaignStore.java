package dev.pitwall.acceptance.campaign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Campaigns in the store (the acceptance module's tables): what was started, each stage as it
 * starts and ends, what each round measured on each node, and the findings with their evidence.
 * A restarted Pitwall reads everything back from here.
 */
public final class CampaignStore {

    private static final TypeReference<Map<String, Double>> NUMBERS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> STAGES = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> NAMES = new TypeReference<>() {
    };

    /** A campaign as started. */
    public record Started(long id, String name, CampaignPlan plan, String profile, List<String> nodes, String folder,
                          Instant startedAt, Instant endsAt, Instant finishedAt) {

        public boolean finished() {
            return finishedAt != null;
        }
    }

    /** How a stage of a round went: {@code running}, {@code done}, or {@code interrupted} (Pitwall stopped during it). */
    public record StageRun(int round, String stage, Instant startedAt, Instant finishedAt, String outcome, int nodes) {

        public static final String RUNNING = "running";
        public static final String DONE = "done";
        public static final String INTERRUPTED = "interrupted";
    }

    private final Jdbi jdbi;

    public CampaignStore(Database database) {
        this.jdbi = database.jdbi();
    }

    public long create(String name, CampaignPlan plan, String profile, List<String> nodes, String folder,
                       Instant startedAt, Instant endsAt) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO campaign (name, plan, profile, nodes, folder, started_at, ends_at)
                        VALUES (:name, :plan, :profile, :nodes, :folder, :started, :ends)""")
                .bind("name", name).bind("plan", json(plan)).bind("profile", profile).bind("nodes", json(nodes))
                .bind("folder", folder).bind("started", startedAt.toEpochMilli()).bind("ends", endsAt.toEpochMilli())
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    public Optional<Started> find(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM campaign WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> started(rs)).findOne());
    }

    /** The newest campaigns first. */
    public List<Started> recent(int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM campaign ORDER BY id DESC LIMIT :limit")
                .bind("limit", limit).map((rs, ctx) -> started(rs)).list());
    }

    private static Started started(java.sql.ResultSet rs) throws java.sql.SQLException {
        long finished = rs.getLong("finished_at");
        boolean hasFinished = !rs.wasNull();
        try {
            return new Started(rs.getLong("id"), rs.getString("name"),
                    Json.mapper().readValue(rs.getString("plan"), CampaignPlan.class), rs.getString("profile"),
                    Json.mapper().readValue(rs.getString("nodes"), NAMES), rs.getString("folder"),
                    Instant.ofEpochMilli(rs.getLong("started_at")), Instant.ofEpochMilli(rs.getLong("ends_at")),
                    hasFinished ? Instant.ofEpochMilli(finished) : null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("campaign " + rs.getLong("id") + " is stored in a form this Pitwall cannot read", e);
        }
    }

    /** The process that holds a campaign, and when it was last heard from. */
    public record Holder(String runner, Instant heartbeatAt) {
    }

    /**
     * Claims the campaign for {@code runner}: granted when nobody holds it, {@code runner} already
     * does, or the holder has not been heard from for {@code stale}; otherwise the holder.
     */
    public Optional<Holder> claim(long id, String runner, Instant now, Duration stale) {
        return jdbi.inTransaction(h -> {
            int claimed = h.createUpdate("""
                            UPDATE campaign SET runner = :runner, heartbeat_at = :now
                            WHERE id = :id AND (runner IS NULL OR runner = :runner OR heartbeat_at < :stale)""")
                    .bind("runner", runner).bind("now", now.toEpochMilli()).bind("id", id)
                    .bind("stale", now.minus(stale).toEpochMilli()).execute();
            if (claimed == 1) {
                return Optional.<Holder>empty();
            }
            return h.createQuery("SELECT runner, heartbeat_at FROM campaign WHERE id = :id").bind("id", id)
                    .map((rs, ctx) -> new Holder(rs.getString("runner"), Instant.ofEpochMilli(rs.getLong("heartbeat_at"))))
                    .findOne();
        });
    }

    /** Says the holder is still at it; false when it no longer holds the campaign. */
    public boolean heartbeat(long id, String runner, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE campaign SET heartbeat_at = :now WHERE id = :id AND runner = :runner")
                .bind("now", now.toEpochMilli()).bind("id", id).bind("runner", runner).execute()) == 1;
    }

    public void release(long id, String runner) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE campaign SET runner = NULL, heartbeat_at = NULL WHERE id = :id AND runner = :runner")
                .bind("id", id).bind("runner", runner).execute());
    }

    public void finish(long id, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE campaign SET finished_at = :at WHERE id = :id")
                .bind("at", at.toEpochMilli()).bind("id", id).execute());
    }

    public List<StageRun> stages(long id) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT round_no, stage, started_at, finished_at, outcome, nodes FROM campaign_stage
                        WHERE campaign_id = :id ORDER BY round_no, started_at""")
                .bind("id", id)
                .map((rs, ctx) -> {
                    long finished = rs.getLong("finished_at");
                    Instant finishedAt = rs.wasNull() ? null : Instant.ofEpochMilli(finished);
                    return new StageRun(rs.getInt("round_no"), rs.getString("stage"),
                            Instant.ofEpochMilli(rs.getLong("started_at")), finishedAt, rs.getString("outcome"),
                            rs.getInt("nodes"));
                }).list());
    }

    /** Records a stage as running; the key makes a second start of the same stage of a round fail. */
    public void stageStarted(long id, int round, String stage, int nodes, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO campaign_stage (campaign_id, round_no, stage, started_at, outcome, nodes)
                        VALUES (:id, :round, :stage, :at, :outcome, :nodes)""")
                .bind("id", id).bind("round", round).bind("stage", stage).bind("at", at.toEpochMilli())
                .bind("outcome", StageRun.RUNNING).bind("nodes", nodes).execute());
    }

    /**
     * Ends a stage: its outcome, what its nodes measured this round so far, its findings and, at
     * a round's end, the findings across rounds (replacing the earlier ones), in one transaction,
     * so a stage that is recorded done has everything it found stored with it.
     */
    public void stageFinished(long id, int round, String stage, Instant at, List<NodeRound> measured,
                              List<CampaignFinding> findings, Optional<List<CampaignFinding>> trends) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            UPDATE campaign_stage SET finished_at = :at, outcome = :outcome
                            WHERE campaign_id = :id AND round_no = :round AND stage = :stage""")
                    .bind("at", at.toEpochMilli()).bind("outcome", StageRun.DONE).bind("id", id).bind("round", round)
                    .bind("stage", stage).execute();
            PreparedBatch rounds = h.prepareBatch("""
                    INSERT INTO campaign_node_round (campaign_id, node, round_no, figures, counters, stages)
                    VALUES (:id, :node, :round, :figures, :counters, :stages)
                    ON CONFLICT (campaign_id, node, round_no)
                    DO UPDATE SET figures = excluded.figures, counters = excluded.counters, stages = excluded.stages""");
            for (NodeRound r : measured) {
                rounds.bind("id", id).bind("node", r.node()).bind("round", r.round()).bind("figures", json(r.figures()))
                        .bind("counters", json(r.counters())).bind("stages", json(r.stages())).add();
            }
            if (!measured.isEmpty()) {
                rounds.execute();
            }
            insertFindings(h, id, findings);
            if (trends.isPresent()) {
                h.createUpdate("DELETE FROM campaign_finding WHERE campaign_id = :id AND stage = :stage")
                        .bind("id", id).bind("stage", CampaignFinding.TRENDS).execute();
                insertFindings(h, id, trends.get());
            }
        });
    }

    /** Marks stages left running by a Pitwall that stopped; returns them. */
    public List<StageRun> interrupt(long id, Instant at) {
        List<StageRun> running = stages(id).stream().filter(s -> s.outcome().equals(StageRun.RUNNING)).toList();
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE campaign_stage SET outcome = :interrupted, finished_at = :at
                        WHERE campaign_id = :id AND outcome = :running""")
                .bind("interrupted", StageRun.INTERRUPTED).bind("at", at.toEpochMilli()).bind("id", id)
                .bind("running", StageRun.RUNNING).execute());
        return running;
    }

    private static void insertFindings(org.jdbi.v3.core.Handle h, long id, List<CampaignFinding> findings) {
        if (findings.isEmpty()) {
            return;
        }
        PreparedBatch batch = h.prepareBatch("""
                INSERT INTO campaign_finding (campaign_id, round_no, stage, node, check_name, verdict, found, expected,
                                              detail, evidence)
                VALUES (:id, :round, :stage, :node, :check, :verdict, :found, :expected, :detail, :evidence)""");
        for (CampaignFinding f : findings) {
            batch.bind("id", id).bind("round", f.round()).bind("stage", f.stage()).bind("node", f.finding().node())
                    .bind("check", f.finding().check()).bind("verdict", f.finding().verdict().name())
                    .bind("found", String.valueOf(f.finding().value())).bind("expected", String.valueOf(f.finding().expected()))
                    .bind("detail", f.finding().detail()).bind("evidence", f.evidence()).add();
        }
        batch.execute();
    }

    public List<CampaignFinding> findings(long id) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT round_no, stage, node, check_name, verdict, found, expected, detail, evidence
                        FROM campaign_finding WHERE campaign_id = :id ORDER BY id""")
                .bind("id", id)
                .map((rs, ctx) -> new CampaignFinding(rs.getInt("round_no"), rs.getString("stage"),
                        new Finding(rs.getString("node"), rs.getString("check_name"), Verdict.valueOf(rs.getString("verdict")),
                                rs.getString("found"), rs.getString("expected"), rs.getString("detail")),
                        rs.getString("evidence")))
                .list());
    }

    /**
     * Every node round of a campaign, node by node and round by round, handed over one at a time
     * (a long campaign's rows are not all held at once here). Counter and figure names are
     * interned: thousands of rounds share a few dozen names.
     */
    public void eachRound(long id, Consumer<NodeRound> each) {
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT node, round_no, figures, counters, stages FROM campaign_node_round
                        WHERE campaign_id = :id ORDER BY node, round_no""")
                .bind("id", id)
                .map((rs, ctx) -> new NodeRound(rs.getString("node").intern(), rs.getInt("round_no"),
                        numbers(rs.getString("figures")), numbers(rs.getString("counters")),
                        names(rs.getString("stages"))))
                .useIterator(rows -> rows.forEachRemaining(each)));
    }

    private static Map<String, Double> numbers(String json) {
        try {
            Map<String, Double> read = Json.mapper().readValue(json, NUMBERS);
            Map<String, Double> interned = new TreeMap<>();
            read.forEach((k, v) -> interned.put(k.intern(), v));
            return interned;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a campaign round is stored in a form this Pitwall cannot read", e);
        }
    }

    private static Map<String, String> names(String json) {
        try {
            Map<String, String> interned = new TreeMap<>();
            Json.mapper().readValue(json, STAGES).forEach((k, v) -> interned.put(k.intern(), v.intern()));
            return interned;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a campaign round is stored in a form this Pitwall cannot read", e);
        }
    }

    private static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a campaign record could not be written as JSON", e);
        }
    }
}
