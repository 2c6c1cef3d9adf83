package dev.pitwall.acceptance.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageTarget;
import dev.pitwall.core.testing.StepClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Campaigns run stage by stage, round by round, drop failed nodes, and resume after a restart. */
class CampaignRunnerTest {

    private static final List<String> NODES = List.of("a01", "a02", "a03", "a04", "a05");

    @TempDir
    Path dir;

    static Stream<String> targets() {
        return StorageTarget.available();
    }

    /** Three stages of 20 minutes: a round is an hour. */
    private static CampaignPlan plan(Path file) throws Exception {
        Files.writeString(file, """
                name: test-burn-in
                duration: 8h
                stages:
                  - name: sanity
                    steps:
                      - {name: telemetry, command: curl -sf http://127.0.0.1:9400/metrics, output: telemetry.prom}
                  - name: performance
                    steps:
                      - {name: all-reduce, command: all_reduce_perf -b 8G -e 8G, output: all_reduce_perf.log}
                  - name: stress
                    steps:
                      - {name: gpu-burn, command: gpu_burn -d 3600, output: gpu_burn.log}
                      - {name: telemetry-after, command: curl -sf http://127.0.0.1:9400/metrics, output: telemetry-after.prom}
                """);
        return CampaignPlan.load(file.toString());
    }

    /**
     * a01 healthy; a02's GPU declared faulty by gpu-burn in round 2; a03's bandwidth falls 1.5% a
     * round; a04 gets double-bit ECC errors in round 3; a05's all-reduce cannot start in round 4.
     */
    private static StandInCluster.Reading faults(String node, int round) {
        StandInCluster.Reading healthy = StandInCluster.Reading.healthy();
        return switch (node) {
            case "a02" -> new StandInCluster.Reading(480, round == 2, 0, 0, false);
            case "a03" -> new StandInCluster.Reading(480 * (1 - 0.015 * round) + (round % 2) * 0.7, false, 0, 0, false);
            case "a04" -> new StandInCluster.Reading(480, false, round >= 3 ? 2 : 0, 0, false);
            case "a05" -> new StandInCluster.Reading(480, false, 0, 0, round == 4);
            default -> new StandInCluster.Reading(480 + (round % 3) - 1, false, 0, 0, false);
        };
    }

    @ParameterizedTest
    @MethodSource("targets")
    void runsRoundsUntilTheDurationEndsAndFailsEachFaultyNodeWithItsEvidence(String target) throws Exception {
        StepClock clock = new StepClock(Instant.parse("2026-12-01T00:00:00Z"));
        StandInCluster cluster = new StandInCluster(clock, CampaignRunnerTest::faults);
        try (StorageTarget storage = StorageTarget.create(target, dir);
             Database database = open(storage)) {
            CampaignStore store = new CampaignStore(database);
            CampaignRunner runner = new CampaignRunner(store, cluster, clock, CampaignRunner.Progress.NONE);
            long id = runner.start("rack A burn-in", plan(dir.resolve("plan.yaml")), NODES, Duration.ofHours(8),
                    Optional.empty(), dir.resolve("campaign"));

            CampaignStatus status = runner.run(id);

            // A round starts only before the end: rounds 1-8 start at 0 h ... 7 h.
            assertThat(status.rounds()).isEqualTo(8);
            assertThat(cluster.calls).extracting(c -> c.round() + "/" + c.stage()).startsWith(
                    "1/sanity", "1/performance", "1/stress", "2/sanity").hasSize(24).doesNotHaveDuplicates();
            assertThat(status.finishedAt()).isNotNull();
            assertThat(status.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(status.failedNodes()).containsExactly("a02", "a03", "a04", "a05");
            assertThat(status.node("a01").orElseThrow().verdict()).isEqualTo(Verdict.PASS);
            assertThat(status.node("a01").orElseThrow().rounds()).isEqualTo(8);

            CampaignFinding a02 = status.node("a02").orElseThrow().failedAt();
            assertThat(a02.round()).isEqualTo(2);
            assertThat(a02.stage()).isEqualTo("stress");
            assertThat(a02.evidence()).isEqualTo("round-002/stress/a02");
            assertThat(Path.of(status.folder()).resolve(a02.evidence()).resolve("gpu_burn.log")).exists();

            CampaignFinding a03 = status.node("a03").orElseThrow().failedAt();
            assertThat(a03.finding().check()).startsWith("trend.nccl.all_reduce_perf.");
            assertThat(a03.stage()).isEqualTo(CampaignFinding.TRENDS);
            assertThat(a03.evidence()).startsWith("round-001/performance/a03 … ");

            CampaignFinding a04 = status.node("a04").orElseThrow().failedAt();
            assertThat(a04.finding().check()).isEqualTo("counter.ecc_dbe");
            assertThat(a04.round()).isEqualTo(3);

            CampaignFinding a05 = status.node("a05").orElseThrow().failedAt();
            assertThat(a05.round()).isEqualTo(4);
            assertThat(a05.stage()).isEqualTo("performance");
            assertThat(status.findings()).filteredOn(f -> f.finding().node().equals("a05"))
                    .extracting(f -> f.finding().check()).contains("evidence.step.all-reduce");

            // A failed node takes no further part: a02 is not in round 3's stages.
            assertThat(cluster.calls).filteredOn(c -> c.round() == 3).allSatisfy(c ->
                    assertThat(c.nodes()).doesNotContain("a02"));
            assertThat(cluster.calls).filteredOn(c -> c.round() == 2 && c.stage().equals("stress"))
                    .singleElement().satisfies(c -> assertThat(c.nodes()).contains("a02"));

            assertThatThrownBy(() -> runner.run(id)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("finished");
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aRestartedPitwallResumesWithTheNextStageAndRunsNoStageTwice(String target) throws Exception {
        StepClock clock = new StepClock(Instant.parse("2026-12-01T00:00:00Z"));
        StandInCluster crashing = new StandInCluster(clock, (n, r) -> StandInCluster.Reading.healthy())
                .crashIn(2, "performance");
        try (StorageTarget storage = StorageTarget.create(target, dir)) {
            long id;
            try (Database database = open(storage)) {
                CampaignRunner runner = new CampaignRunner(new CampaignStore(database), crashing, clock,
                        CampaignRunner.Progress.NONE);
                id = runner.start("resume", plan(dir.resolve("plan.yaml")), NODES, Duration.ofHours(4), Optional.empty(),
                        dir.resolve("campaign"));
                assertThatThrownBy(() -> runner.run(id)).hasMessageContaining("power cut");
            }
            // Another process, another connection: all it knows is in the store.
            StandInCluster after = new StandInCluster(clock, (n, r) -> StandInCluster.Reading.healthy());
            try (Database database = open(storage)) {
                CampaignStatus status = new CampaignRunner(new CampaignStore(database), after, clock,
                        CampaignRunner.Progress.NONE).run(id);

                assertThat(after.calls).extracting(c -> c.round() + "/" + c.stage()).startsWith("2/stress", "3/sanity")
                        .doesNotContain("1/sanity", "1/performance", "1/stress", "2/sanity", "2/performance");
                assertThat(status.stages()).filteredOn(s -> s.round() == 2 && s.stage().equals("performance"))
                        .singleElement()
                        .satisfies(s -> assertThat(s.outcome()).isEqualTo(CampaignStore.StageRun.INTERRUPTED));
                assertThat(status.stages()).extracting(s -> s.round() + "/" + s.stage()).doesNotHaveDuplicates();
                assertThat(status.verdict()).isEqualTo(Verdict.PASS);
                assertThat(status.failedNodes()).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aCampaignAnotherProcessRunsIsRefusedUntouchedAndAStoppedProcesssClaimLapses(String target) throws Exception {
        StepClock clock = new StepClock(Instant.parse("2026-12-01T00:00:00Z"));
        StandInCluster cluster = new StandInCluster(clock, (n, r) -> StandInCluster.Reading.healthy());
        try (StorageTarget storage = StorageTarget.create(target, dir); Database database = open(storage)) {
            CampaignStore store = new CampaignStore(database);
            CampaignRunner runner = new CampaignRunner(store, cluster, clock, CampaignRunner.Progress.NONE);
            long id = runner.start("claimed", plan(dir.resolve("plan.yaml")), NODES, Duration.ofHours(2), Optional.empty(),
                    dir.resolve("campaign"));
            // Another process is running it and said so just now.
            assertThat(store.claim(id, "4242@gpu-mgmt/aa", Instant.now(), CampaignRunner.LEASE)).isEmpty();

            assertThatThrownBy(() -> runner.run(id)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is being run by 4242@gpu-mgmt/aa").hasMessageContaining("60 s");
            // Refused before touching anything: the other's running stage is not marked interrupted.
            assertThat(store.stages(id)).isEmpty();
            assertThat(cluster.calls).isEmpty();

            // That process stopped without a word two leases ago: its claim has lapsed.
            store.release(id, "4242@gpu-mgmt/aa");
            store.claim(id, "4242@gpu-mgmt/aa", Instant.now().minus(CampaignRunner.LEASE.multipliedBy(2)),
                    CampaignRunner.LEASE);
            CampaignStatus status = runner.run(id);
            assertThat(status.stages()).isNotEmpty();
            // Finished, the claim is given up: anyone may read or label the campaign.
            assertThat(store.claim(id, "later@host/bb", Instant.now(), CampaignRunner.LEASE)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aNodeOtherWorkHeldIsDeferredNotFailedAndTestedAgainNextRound(String target) throws Exception {
        StepClock clock = new StepClock(Instant.parse("2026-12-01T00:00:00Z"));
        StandInCluster cluster = new StandInCluster(clock, (n, r) -> StandInCluster.Reading.healthy())
                .busyIn(1, "performance", "a01");
        try (StorageTarget storage = StorageTarget.create(target, dir); Database database = open(storage)) {
            CampaignStore store = new CampaignStore(database);
            CampaignRunner runner = new CampaignRunner(store, cluster, clock, CampaignRunner.Progress.NONE);
            long id = runner.start("busy", plan(dir.resolve("plan.yaml")), NODES, Duration.ofHours(3), Optional.empty(),
                    dir.resolve("campaign"));

            CampaignStatus status = runner.run(id);

            assertThat(status.failedNodes()).isEmpty();
            assertThat(store.findings(id)).filteredOn(f -> f.finding().node().equals("a01")).singleElement()
                    .satisfies(f -> {
                        assertThat(f.finding().check()).isEqualTo(CampaignRunner.DEFERRED);
                        assertThat(f.finding().verdict()).isEqualTo(Verdict.WARN);
                        assertThat(f.round()).isEqualTo(1);
                        assertThat(f.stage()).isEqualTo("performance");
                    });
            // Still in the campaign: the next round's performance stage tests it.
            assertThat(cluster.calls).filteredOn(c -> c.round() == 2 && c.stage().equals("performance")).singleElement()
                    .satisfies(c -> assertThat(c.nodes()).contains("a01"));
            // A node with a stage not tested does not pass: it warns.
            assertThat(status.verdict()).isEqualTo(Verdict.WARN);
        }
    }

    @Test
    void pairsChangeEveryRoundAndEachNodeServesOneTest() {
        List<String> nodes = List.of("a", "b", "c", "d");
        java.util.Set<String> pairs = new java.util.HashSet<>();
        for (int round = 1; round <= 3; round++) {
            var peers = CampaignRunner.peers(nodes, round);
            assertThat(peers.keySet()).containsExactlyInAnyOrderElementsOf(nodes);
            assertThat(peers.values()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(nodes);
            peers.forEach((node, peer) -> {
                assertThat(peer).isNotEqualTo(node);
                pairs.add(node + peer);
            });
        }
        // Three rounds on four nodes: every ordered pair once.
        assertThat(pairs).hasSize(12);
        assertThat(CampaignRunner.peers(List.of("a"), 1)).isEmpty();
    }

    @Test
    void aPlanWithoutStagesOrWithAStageTwiceIsRefusedWithTheKey() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "name: nothing\nstages: []\n");
        assertThatThrownBy(() -> CampaignPlan.load(empty.toString())).hasMessageContaining("stages")
                .hasMessageContaining("at least one stage");
        Path twice = Files.writeString(dir.resolve("twice.yaml"), """
                stages:
                  - {name: stress, steps: [{name: a, command: 'true', output: a.log}]}
                  - {name: stress, steps: [{name: b, command: 'true', output: b.log}]}
                """);
        assertThatThrownBy(() -> CampaignPlan.load(twice.toString())).hasMessageContaining("\"stress\" twice");
        assertThatThrownBy(() -> CampaignPlan.load("burn-out")).hasMessageContaining("no such campaign plan");
        assertThat(CampaignPlan.load("burn-in").stages()).extracting(CampaignPlan.Stage::name)
                .containsExactly("sanity", "validation", "performance", "stress");
    }

    private static Database open(StorageTarget storage) {
        Database database = Database.open(storage.config(), storage.dataDir(), new SimpleMeterRegistry());
        database.migrate(AcceptanceRuns.MODULE);
        return database;
    }
}
