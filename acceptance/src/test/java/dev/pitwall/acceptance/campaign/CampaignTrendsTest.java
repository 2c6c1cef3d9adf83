package dev.pitwall.acceptance.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.verdict.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** The rules across rounds: what drifts fails, what is only noisy passes. */
class CampaignTrendsTest {

    private static final CampaignPlan.TrendRules RULES = CampaignPlan.TrendRules.DEFAULTS;
    private static final String BUSBW = "nccl.all_reduce_perf.busbw_max";

    @Test
    void aFallingBandwidthFailsTheNodeWithTheRoundsItRestsOn() {
        SplittableRandom noise = new SplittableRandom(1);
        List<NodeRound> rounds = figureRounds(10, r -> 482 * (1 - 0.008 * r) * (1 + noise.nextDouble(-0.005, 0.005)));

        List<CampaignFinding> findings = CampaignTrends.check("a01", rounds, RULES);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.finding().check()).isEqualTo("trend." + BUSBW);
            assertThat(f.finding().verdict()).isEqualTo(Verdict.FAIL);
            assertThat(f.finding().detail()).contains("Mann-Kendall").contains("over 10 rounds");
            assertThat(f.round()).isEqualTo(10);
            assertThat(f.evidence()).isEqualTo("round-001/performance/a01 … round-010/performance/a01");
        });
    }

    @Test
    void noisyButFlatFiguresPassOnAlmostEveryNode() {
        // 500 healthy nodes, 12 rounds each, ±3% noise: at the default rules none should be pulled
        // (a significant fall is also one of at least 3%); one by chance is tolerated.
        SplittableRandom noise = new SplittableRandom(7);
        int failed = 0;
        for (int node = 0; node < 500; node++) {
            List<NodeRound> rounds = figureRounds(12, r -> 482 * (1 + noise.nextDouble(-0.03, 0.03)));
            failed += CampaignTrends.check("n" + node, rounds, RULES).isEmpty() ? 0 : 1;
        }
        assertThat(failed).isLessThanOrEqualTo(1);
    }

    @Test
    void aSignificantButSmallFallIsNoReasonToPullANode() {
        List<NodeRound> rounds = figureRounds(12, r -> 482 - 0.1 * r); // 0.2% over the campaign, perfectly steady

        assertThat(CampaignTrends.check("a01", rounds, RULES)).isEmpty();
        assertThat(CampaignTrends.check("a01", rounds, new CampaignPlan.TrendRules(0.01, 0.001, 3, 30)))
                .extracting(f -> f.finding().check()).containsExactly("trend." + BUSBW);
    }

    @Test
    void tooFewRoundsHaveNoTrend() {
        assertThat(CampaignTrends.check("a01", figureRounds(5, r -> 482 - 20.0 * r), RULES)).isEmpty();
    }

    @Test
    void newDoubleBitErrorsFailInTheRoundTheyAppearedButOldOnesDoNot() {
        List<NodeRound> rounds = counterRounds(6, r -> Map.of(NodeCounters.ECC_DBE, r >= 4 ? 5.0 : 2.0));

        List<CampaignFinding> findings = CampaignTrends.check("a01", rounds, RULES);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.finding().check()).isEqualTo("counter.ecc_dbe");
            assertThat(f.finding().verdict()).isEqualTo(Verdict.FAIL);
            assertThat(f.round()).isEqualTo(4);
            assertThat(f.finding().detail()).contains("3 new double-bit ECC error(s)").contains("round 4");
            assertThat(f.evidence()).isEqualTo("round-004/stress/a01");
        });
        assertThat(CampaignTrends.check("a01", counterRounds(6, r -> Map.of(NodeCounters.ECC_DBE, 2.0)), RULES)).isEmpty();
    }

    @Test
    void aCounterResetIsNotAFallNorARise() {
        // The driver reloaded after round 2: the volatile counter starts again from 0.
        List<NodeRound> rounds = counterRounds(6, r -> Map.of(NodeCounters.ECC_DBE, r <= 2 ? 3.0 : 0.0));

        assertThat(CampaignTrends.check("a01", rounds, RULES)).isEmpty();
    }

    @Test
    void aRowRemapFailureFailsEvenWhenItWasThereBefore() {
        List<NodeRound> rounds = counterRounds(3, r -> Map.of(NodeCounters.ROW_REMAP_FAILURE, 1.0));

        assertThat(CampaignTrends.check("a01", rounds, RULES)).extracting(f -> f.finding().check(), f -> f.round())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("counter.row_remap_failure", 0));
    }

    @Test
    void anXidDuringTheCampaignFailsOneFromBeforeDoesNot() {
        List<NodeRound> before = counterRounds(5, r -> Map.of(NodeCounters.XID_LAST + "3", 13.0));
        assertThat(CampaignTrends.check("a01", before, RULES)).isEmpty();

        List<NodeRound> during = counterRounds(5, r -> Map.of(NodeCounters.XID_LAST + "3", r >= 3 ? 79.0 : 13.0));
        assertThat(CampaignTrends.check("a01", during, RULES)).singleElement().satisfies(f -> {
            assertThat(f.finding().check()).isEqualTo("counter.xid");
            assertThat(f.finding().value()).isEqualTo("Xid 79 on GPU 3");
            assertThat(f.round()).isEqualTo(3);
        });

        List<NodeRound> windowed = counterRounds(4, r -> Map.of(NodeCounters.XID_WINDOW + "48", r == 2 ? 1.0 : 0.0));
        assertThat(CampaignTrends.check("a01", windowed, RULES)).extracting(f -> f.finding().value())
                .containsExactly("1 × Xid 48");
    }

    @Test
    void throttlingThatGrowsFailsWhileOccasionalThrottlingWarns() {
        // Throttled 0, 10, 20 ... 70 s a round.
        List<NodeRound> growing = counterRounds(8, r -> Map.of(NodeCounters.THERMAL_VIOLATION, r * (r - 1) / 2 * 10e6));
        assertThat(CampaignTrends.check("a01", growing, RULES)).singleElement().satisfies(f -> {
            assertThat(f.finding().check()).isEqualTo("trend.thermal_violation");
            assertThat(f.finding().verdict()).isEqualTo(Verdict.FAIL);
        });

        // Growing, but by a few seconds of an hour's stress: noise.
        List<NodeRound> slight = counterRounds(8, r -> Map.of(NodeCounters.THERMAL_VIOLATION, r * (r - 1) / 2 * 0.5e6));
        assertThat(CampaignTrends.check("a01", slight, RULES)).isEmpty();

        // A hot round now and then warns; it does not fail.
        double[] total = {0};
        List<NodeRound> occasional = counterRounds(8, r -> {
            total[0] += r == 3 || r == 6 ? 45e6 : 0;
            return Map.of(NodeCounters.THERMAL_VIOLATION, total[0]);
        });
        assertThat(CampaignTrends.check("a01", occasional, RULES)).singleElement().satisfies(f ->
                assertThat(f.finding().verdict()).isEqualTo(Verdict.WARN));
    }

    @Test
    void flapsThatAccelerateFailAndASingleFlapWarns() {
        // Down 0, 0, 0, 1, 1, 2, 3, 5 times a round (index 0 is the first reading).
        int[] perRound = {0, 0, 0, 0, 1, 1, 2, 3, 5};
        int[] cumulative = new int[perRound.length];
        for (int i = 1; i < perRound.length; i++) {
            cumulative[i] = cumulative[i - 1] + perRound[i];
        }
        List<NodeRound> accelerating = counterRounds(8, r -> Map.of(NodeCounters.LINK_DOWNED, (double) cumulative[r]));
        assertThat(CampaignTrends.check("a01", accelerating, new CampaignPlan.TrendRules(0.01, 0.03, 100, 30)))
                .singleElement().satisfies(f -> {
                    assertThat(f.finding().check()).isEqualTo("counter.link_flaps");
                    assertThat(f.finding().verdict()).isEqualTo(Verdict.FAIL);
                    assertThat(f.finding().detail()).contains("more often round after round");
                });

        List<NodeRound> once = counterRounds(8, r -> Map.of(NodeCounters.LINK_DOWNED, r >= 5 ? 1.0 : 0.0));
        assertThat(CampaignTrends.check("a01", once, RULES)).singleElement()
                .satisfies(f -> assertThat(f.finding().verdict()).isEqualTo(Verdict.WARN));
    }

    /** Rounds 1..n with one figure each, as the performance stage leaves them. */
    private static List<NodeRound> figureRounds(int n, IntFunction<Double> busbw) {
        List<NodeRound> rounds = new ArrayList<>();
        for (int r = 1; r <= n; r++) {
            rounds.add(new NodeRound("a01", r, Map.of(BUSBW, busbw.apply(r)), Map.of(), Map.of(BUSBW, "performance")));
        }
        return rounds;
    }

    /** Round 0 (the first reading) and rounds 1..n of counters, as the stress stage leaves them. */
    private static List<NodeRound> counterRounds(int n, IntFunction<Map<String, Double>> counters) {
        List<NodeRound> rounds = new ArrayList<>();
        for (int r = 0; r <= n; r++) {
            rounds.add(new NodeRound("a01", r, Map.of(), counters.apply(r), Map.of(NodeRound.COUNTERS, "stress")));
        }
        return rounds;
    }
}
