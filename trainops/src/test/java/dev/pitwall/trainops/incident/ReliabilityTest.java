package dev.pitwall.trainops.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ReliabilityTest {

    private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant TO = FROM.plus(Duration.ofDays(10));

    /** An incident that started {@code startMin} minutes into the period, detected 2 min later, mitigated after {@code recoverMin}. */
    private static Incident incident(long id, String category, String node, long startMin, Long recoverMin) {
        Instant started = FROM.plus(Duration.ofMinutes(startMin));
        Instant detected = started.plus(Duration.ofMinutes(2));
        Instant mitigated = recoverMin == null ? null : detected.plus(Duration.ofMinutes(recoverMin));
        return new Incident(id, category + " fault", category, "CRITICAL", node, List.of(node),
                mitigated == null ? Incident.State.DETECTED : Incident.State.MITIGATED, 3, List.of(node), detected, detected,
                null, mitigated, null, started, null);
    }

    @Test
    void measuresFailureRatesRecoveryAndWhatFailsMost() {
        List<Incident> incidents = List.of(
                incident(1, "gpu", "gpu-a07", 60, 30L),
                incident(2, "gpu", "gpu-a07", 3000, 90L),
                incident(3, "network", "gpu-a02", 6000, 10L),
                incident(4, "gpu", "gpu-a03", 9000, 20L));
        Duration all = Duration.between(FROM, TO);
        Reliability r = Reliability.of(incidents, FROM, TO, Map.of("gpu-a01", all, "gpu-a02", all, "gpu-a03", all,
                "gpu-a07", all), OptionalInt.empty(), Optional.of(new UtilizationStore.Utilization(87.5, 61.0, 40)));
        assertThat(r.nodes()).isEqualTo(4);
        assertThat(r.nodeDays()).isCloseTo(40, within(1e-9));
        assertThat(r.failures()).isEqualTo(4);
        assertThat(r.mtbfHours()).isCloseTo(240.0 / 4, within(1e-9));
        assertThat(r.mtbfHoursPerNode()).isCloseTo(240.0 * 4 / 4, within(1e-9));
        assertThat(r.failuresPer1000NodeDays()).isCloseTo(100, within(1e-9));
        assertThat(r.timeToDetect().meanSeconds()).isEqualTo(120.0);
        // Recovery: 10, 20, 30, 90 minutes. Nearest rank: p50 = 20 min, p90 = 90 min.
        assertThat(r.timeToRecover().meanSeconds()).isCloseTo(37.5 * 60, within(1e-9));
        assertThat(r.timeToRecover().p50Seconds()).isEqualTo(20 * 60.0);
        assertThat(r.timeToRecover().p90Seconds()).isEqualTo(90 * 60.0);
        assertThat(r.failureModes()).extracting(Reliability.Mode::mode).containsExactly("gpu", "network");
        assertThat(r.failureModes().getFirst().pct()).isEqualTo(75.0);
        assertThat(r.failureModes().get(1).cumulativePct()).isEqualTo(100.0);
        assertThat(r.byNode().getFirst().node()).isEqualTo("gpu-a07");
        assertThat(r.byNode().getFirst().mtbfHours()).isEqualTo(120.0);
        // Lost: (2 + 30) + (2 + 90) + (2 + 10) + (2 + 20) minutes of 14,400.
        assertThat(r.goodputPct()).isCloseTo(100 * (1 - 158.0 / 14_400), within(1e-9));
        assertThat(r.physicalUtilizationPct()).isEqualTo(87.5);
        assertThat(r.logicalUtilizationPct()).isEqualTo(61.0);
    }

    @Test
    void countsOverlappingAndOpenIncidentsOnceAndClipsThemToThePeriod() {
        List<Incident> incidents = List.of(
                incident(1, "gpu", "gpu-a07", 100, 60L),     // 100..162
                incident(2, "network", "gpu-a02", 130, 60L), // 130..192 overlaps: 100..192 lost
                incident(3, "gpu", "gpu-a03", 14_300, null)); // still open at the end: 14,300..14,400
        Reliability r = Reliability.of(incidents, FROM, TO, Map.of(), OptionalInt.of(16), Optional.empty());
        assertThat(r.nodes()).isEqualTo(16);
        assertThat(r.goodputPct()).isCloseTo(100 * (1 - (92.0 + 100) / 14_400), within(1e-9));
        assertThat(r.timeToRecover().count()).isEqualTo(2);
        assertThatThrownBy(() -> Reliability.of(List.of(), TO, FROM, Map.of(), OptionalInt.empty(), Optional.empty()))
                .hasMessageContaining("must end after it starts");
        Reliability quiet = Reliability.of(List.of(), FROM, TO, Map.of("gpu-a01", Duration.between(FROM, TO)),
                OptionalInt.empty(), Optional.empty());
        assertThat(quiet.mtbfHours()).isNull();
        assertThat(quiet.goodputPct()).isEqualTo(100.0);
        assertThat(quiet.timeToRecover().meanSeconds()).isNull();
        assertThat(quiet.physicalUtilizationPct()).isNull();
    }

    @Test
    void countsTheNodeTimeObservedAndSaysWhenThereIsTooLittle() {
        // Ten days in the period, but the nodes reported only for the last three minutes: no MTBF of 720 h.
        Duration threeMinutes = Duration.ofMinutes(3);
        Reliability early = Reliability.of(List.of(incident(1, "gpu", "gpu-a02", 14_398, null)), FROM, TO,
                Map.of("gpu-a01", threeMinutes, "gpu-a02", threeMinutes), OptionalInt.empty(), Optional.empty());
        assertThat(early.enoughData()).isFalse();
        assertThat(early.nodeDays()).isCloseTo(6.0 / 60 / 24, within(1e-9));
        assertThat(early.mtbfHours()).isNull();
        assertThat(early.mtbfHoursPerNode()).isNull();
        assertThat(early.failuresPer1000NodeDays()).isNull();
        assertThat(early.byNode().getFirst().mtbfHours()).isNull();
        assertThat(DocumentWriter.write(IncidentReports.reliability(early), "text"))
                .contains("not enough data (0.1 node-hours observed, at least 24 needed)");

        // One node from the start, another for the last day only: 10 + 1 node-days observed, not 2 x 10.
        Reliability partly = Reliability.of(List.of(incident(1, "gpu", "gpu-a02", 14_000, 10L)), FROM, TO,
                Map.of("gpu-a01", Duration.between(FROM, TO), "gpu-a02", Duration.ofDays(1)), OptionalInt.empty(),
                Optional.empty());
        assertThat(partly.enoughData()).isTrue();
        assertThat(partly.nodeDays()).isCloseTo(11, within(1e-9));
        assertThat(partly.failuresPer1000NodeDays()).isCloseTo(1000.0 / 11, within(1e-9));
        assertThat(partly.mtbfHours()).isCloseTo(240, within(1e-9));
        assertThat(partly.byNode().getFirst().mtbfHours()).isCloseTo(24, within(1e-9));
    }
}
