package dev.pitwall.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.core.json.Json;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BucketingTest {

    /** The vectors Unleash's Java, Node, Go and .NET clients test against, seed 0 and the variant seed. */
    @Test
    void bucketsAsUnleashsClientsDo() {
        assertThat(Bucketing.normalized("123", "gr1", 100, Bucketing.ROLLOUT_SEED)).isEqualTo(73);
        assertThat(Bucketing.normalized("999", "groupX", 100, Bucketing.ROLLOUT_SEED)).isEqualTo(25);
        assertThat(Bucketing.normalized("123", "gr1", 100, Bucketing.VARIANT_SEED)).isEqualTo(96);
        assertThat(Bucketing.normalized("999", "groupX", 100, Bucketing.VARIANT_SEED)).isEqualTo(60);
    }

    /**
     * Cases of Unleash's client specification (github.com/Unleash/client-specification,
     * 03-gradual-rollout-user-id-strategy and 10-flexible-rollout-strategy): a user is in a
     * rollout of p % of a group when its bucket is at most p.
     */
    @Test
    void passesUnleashsClientSpecificationCases() throws Exception {
        assertThat(Bucketing.normalized("122", "AB12A", 100, Bucketing.ROLLOUT_SEED)).isLessThanOrEqualTo(50);
        assertThat(Bucketing.normalized("155", "AB12A", 100, Bucketing.ROLLOUT_SEED)).isGreaterThan(50);
        assertThat(Bucketing.normalized("174", "Feature.flexibleRollout.10", 100, Bucketing.ROLLOUT_SEED))
                .isLessThanOrEqualTo(10);
        assertThat(Bucketing.normalized("499", "Feature.flexibleRollout.10", 100, Bucketing.ROLLOUT_SEED))
                .isGreaterThan(10);
        assertThat(Bucketing.normalized("25", "Feature.flexibleRollout.userId.55", 100, Bucketing.ROLLOUT_SEED))
                .isLessThanOrEqualTo(55);
        assertThat(Bucketing.normalized("147", "Feature.flexibleRollout.sessionId.42", 100, Bucketing.ROLLOUT_SEED))
                .isLessThanOrEqualTo(42);
        // The same cases as prompt rollouts: a 10 % canary, a 42 % one by session, and a 50/50 split.
        Rollout ten = rollout("{\"split\":{\"production\":90,\"canary\":10},\"group_id\":\"Feature.flexibleRollout.10\"}");
        assertThat(ten.choose(user("174", "t"))).isEqualTo("canary");
        assertThat(ten.choose(user("499", "t"))).isEqualTo("production");
        Rollout bySession = rollout("{\"split\":{\"production\":58,\"canary\":42},\"stickiness\":\"session\","
                + "\"group_id\":\"Feature.flexibleRollout.sessionId.42\"}");
        assertThat(bySession.choose(session("147"))).isEqualTo("canary");
        Rollout half = rollout("{\"split\":{\"production\":50,\"canary\":50},\"group_id\":\"AB12A\"}");
        assertThat(half.choose(user("122", "t"))).isEqualTo("canary");
        assertThat(half.choose(user("155", "t"))).isEqualTo("production");
    }

    private static Rollout.Request session(String id) {
        return new Rollout.Request("t", null, name -> name.equals(Rollout.SESSION_HEADER) ? Optional.of(id)
                : Optional.empty());
    }

    private static Rollout rollout(String spec) throws Exception {
        return Rollout.parse("support-triage", Json.mapper().readTree(spec));
    }

    private static Rollout.Request user(String id, String tenant) {
        return new Rollout.Request(tenant, id, name -> Optional.empty());
    }

    private static Map<String, Integer> over10000(Rollout rollout) {
        Map<String, Integer> sides = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            sides.merge(rollout.choose(user("user-" + i, "t")), 1, Integer::sum);
        }
        return sides;
    }

    @Test
    void splitsTenThousandUsersWithinAPointOfTheTarget() throws Exception {
        Map<String, Integer> two = over10000(rollout("{\"split\":{\"production\":90,\"canary\":10}}"));
        assertThat(two.get("canary") / 100.0).isBetween(9.0, 11.0);
        Map<String, Integer> three = over10000(rollout("{\"split\":{\"a\":50,\"b\":30,\"c\":20}}"));
        assertThat(three.get("a") / 100.0).isBetween(49.0, 51.0);
        assertThat(three.get("b") / 100.0).isBetween(29.0, 31.0);
        assertThat(three.get("c") / 100.0).isBetween(19.0, 21.0);
    }

    @Test
    void aUserIsOnTheSideItsUnleashBucketSays() throws Exception {
        Rollout canary = rollout("{\"split\":{\"production\":90,\"canary\":10},\"group_id\":\"gr1\"}");
        // "123" in gr1 is bucket 73: above 10, so production; a 73 % canary would take it.
        assertThat(canary.choose(user("123", "t"))).isEqualTo("production");
        // "999" in groupX is bucket 25: a 25 % canary takes it, a 24 % one does not.
        assertThat(rollout("{\"split\":{\"production\":75,\"canary\":25},\"group_id\":\"groupX\"}")
                .choose(user("999", "t"))).isEqualTo("canary");
        assertThat(rollout("{\"split\":{\"production\":76,\"canary\":24},\"group_id\":\"groupX\"}")
                .choose(user("999", "t"))).isEqualTo("production");
        for (int i = 0; i < 20; i++) {
            assertThat(canary.choose(user("alice", "t"))).as("sticky").isEqualTo(canary.choose(user("alice", "t")));
        }
    }

    @Test
    void threeSidesAreChosenAsUnleashChoosesVariantsWeighedOutOf1000() throws Exception {
        Rollout three = rollout("{\"split\":{\"a\":34,\"b\":33,\"c\":33},\"group_id\":\"feature.name.that.is.quite.long\"}");
        for (int i = 0; i < 200; i++) {
            String id = "user-" + i;
            int target = Bucketing.normalized(id, "feature.name.that.is.quite.long", 1000, Bucketing.VARIANT_SEED);
            String expected = target <= 340 ? "a" : target <= 670 ? "b" : "c";
            assertThat(three.choose(user(id, "t"))).as(id + " at " + target).isEqualTo(expected);
        }
    }

    @Test
    void rulesComeBeforeTheSplit() throws Exception {
        Rollout rollout = rollout("""
                {"split":{"production":100,"canary":0},"rules":[{"tenant":"beta-testers","label":"canary"}]}""");
        assertThat(rollout.choose(user("u1", "beta-testers"))).isEqualTo("canary");
        assertThat(rollout.choose(user("u1", "everyone-else"))).isEqualTo("production");
    }
}
