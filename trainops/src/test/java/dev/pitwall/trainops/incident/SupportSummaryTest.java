package dev.pitwall.trainops.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.trainops.knowledge.KnowledgeEntry;
import dev.pitwall.trainops.signal.Severity;
import dev.pitwall.trainops.signal.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SupportSummaryTest {

    private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant TO = FROM.plus(Duration.ofDays(28));

    private static final Signal XID = new Signal("xid-79", "gpu", Severity.CRITICAL, Map.of(), "GPU fell off the bus",
            "drain the node and reseat or replace the GPU", "NVRM: Xid 79");
    private static final Signal WATCHDOG = new Signal("nccl-watchdog-timeout", "nccl", Severity.ERROR, Map.of(),
            "a collective timed out", "find the node with a hardware signal at the same time", "Watchdog caught");

    private final Map<Long, List<Signal>> signals = new HashMap<>();

    private Incident incident(long id, String category, String node, Instant detected, Duration recover,
                              Incident.State state, String job, Signal... own) {
        signals.put(id, List.of(own));
        return new Incident(id, "incident " + id, category, "critical", node, List.of(node), state, own.length,
                List.of(node), detected, detected, null, recover == null ? null : detected.plus(recover), null,
                detected.minusSeconds(30), job);
    }

    @Test
    void modesTakeTheirOwnRulesActionAndRecommendationsNameWhatIsMissing() {
        List<Incident> incidents = List.of(
                // Every rank's watchdog fires after an Xid: the Xid's action is the one to follow.
                incident(1, "gpu", "gpu-a03", FROM.plus(Duration.ofDays(1)), Duration.ofMinutes(40),
                        Incident.State.RESOLVED, "llama", XID, WATCHDOG, WATCHDOG, WATCHDOG),
                incident(2, "gpu", "gpu-a03", FROM.plus(Duration.ofDays(9)), Duration.ofMinutes(30),
                        Incident.State.RESOLVED, "llama", XID, WATCHDOG, WATCHDOG),
                incident(3, "nccl", "gpu-a07", FROM.plus(Duration.ofDays(15)), null, Incident.State.DETECTED, "llama",
                        WATCHDOG),
                incident(4, "gpu", "gpu-b01", FROM.plus(Duration.ofDays(20)), Duration.ofMinutes(10),
                        Incident.State.MITIGATED, "mixtral", XID));
        List<KnowledgeEntry> knowledge = List.of(
                new KnowledgeEntry(1, "Xid 79", "s", "r", "f", List.of(), "seed", FROM.plus(Duration.ofDays(2))),
                new KnowledgeEntry(2, "a03 riser", "s", "cracked riser", "replaced", List.of(), "incident 1",
                        FROM.plus(Duration.ofDays(1))),
                new KnowledgeEntry(3, "old", "s", "r", "f", List.of(), "incident 0", FROM.minus(Duration.ofDays(3))));

        SupportSummary llama = SupportSummary.of(incidents, signals, knowledge, FROM, TO, "llama");

        assertThat(llama.incidents()).isEqualTo(3);
        assertThat(llama.modes()).extracting(SupportSummary.Mode::mode).containsExactly("gpu", "nccl");
        assertThat(llama.modes().getFirst().action()).isEqualTo(XID.action());
        assertThat(llama.modes().getFirst().mttrMinutes()).isEqualTo(35.0);
        assertThat(llama.modes().get(1).mttrMinutes()).isNull();
        assertThat(llama.knowledgeAdded()).extracting(KnowledgeEntry::id).containsExactly(2L);
        assertThat(llama.bucket()).isEqualTo("week");
        assertThat(llama.byBucket()).extracting(SupportSummary.Bucket::incidents).containsExactly(1, 1, 1, 0);
        assertThat(llama.recommendations())
                .anySatisfy(r -> assertThat(r).startsWith("gpu (2 incidents, 67 %): drain the node"))
                .anySatisfy(r -> assertThat(r).startsWith("gpu-a03 was the suspected node of 2 incidents (gpu)")
                        .contains("--plan burn-in --nodes gpu-a03"))
                .anySatisfy(r -> assertThat(r).startsWith("1 incident has no mitigation time"))
                // Incident 2 was resolved without writing down its fix; incident 1 left one.
                .anySatisfy(r -> assertThat(r).startsWith("1 resolved incident left no knowledge entry"))
                .noneSatisfy(r -> assertThat(r).contains("gpu-a07 was"));

        SupportSummary all = SupportSummary.of(incidents, signals, knowledge, FROM, TO, null);
        assertThat(all.incidents()).isEqualTo(4);
        assertThat(all.modes().getFirst().suspectedNodes()).containsEntry("gpu-a03", 2).containsEntry("gpu-b01", 1);
        String markdown = DocumentWriter.write(all.document(), "md");
        assertThat(markdown).contains("## Incidents by failure mode").contains("## Recommendations")
                .contains("## Knowledge entries written");
    }

    @Test
    void timeToRecoverFallingIsSaidOnlyWhenItFallsMoreThanNoiseAllows() {
        List<Incident> falling = new ArrayList<>();
        List<Incident> flat = new ArrayList<>();
        int[] noise = {3, -2, 4, -4, 1, -1, 2, -3, 0, 2};
        for (int i = 0; i < 10; i++) {
            Instant at = FROM.plus(Duration.ofDays(2L * i + 1));
            falling.add(incident(10 + i, "gpu", "n" + i, at, Duration.ofMinutes(60 - 5L * i + noise[i] / 2),
                    Incident.State.MITIGATED, null, XID));
            flat.add(incident(30 + i, "gpu", "n" + i, at, Duration.ofMinutes(30 + noise[i]), Incident.State.MITIGATED,
                    null, XID));
        }
        SupportSummary down = SupportSummary.of(falling, signals, List.of(), FROM, TO, null);
        assertThat(down.mttrTrend()).isEqualTo("falling");
        assertThat(down.mttrTrendP()).isLessThan(SupportSummary.TREND_P);
        assertThat(SupportSummary.of(flat, signals, List.of(), FROM, TO, null).mttrTrend()).isEqualTo("no clear trend");
        SupportSummary two = SupportSummary.of(falling.subList(0, 2), signals, List.of(), FROM, TO, null);
        assertThat(two.mttrTrend()).isEqualTo("too few incidents");
        assertThat(two.mttrTrendP()).isNull();

        SupportSummary fortnight = SupportSummary.of(falling, signals, List.of(), FROM, FROM.plus(Duration.ofDays(14)), null);
        assertThat(fortnight.bucket()).isEqualTo("day");
        assertThat(fortnight.byBucket()).hasSize(14);
    }
}
