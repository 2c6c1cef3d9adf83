package dev.pitwall.trainops.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.trainops.signal.Severity;
import dev.pitwall.trainops.signal.Signal;
import dev.pitwall.trainops.signal.StoredSignal;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class StabilityReportTest {

    private static final Instant FROM = Instant.parse("2026-11-20T00:00:00Z");
    private static final Instant TO = FROM.plus(Duration.ofHours(72));

    private static Incident incident(long id, String job, String node, double startHour, Double hours) {
        Instant start = FROM.plusSeconds((long) (startHour * 3600));
        return new Incident(id, "incident " + id, "gpu", "critical", node, List.of(node), Incident.State.DETECTED, 1,
                List.of(node), start.plusSeconds(20), start.plusSeconds(20), null,
                hours == null ? null : start.plusSeconds((long) (hours * 3600)), null, start, job);
    }

    private static StoredSignal signal(String rule, String node, double hour, int count) {
        return new StoredSignal(1, FROM, FROM.plusSeconds((long) (hour * 3600)), node, "kern.log", null,
                new Signal(rule, "network", Severity.WARNING, count > 1 ? Map.of("count", String.valueOf(count)) : Map.of(),
                        "", "", "mlx5_core: Link down"));
    }

    @Test
    void incidentFreeHoursAndTheLongestStretchCountOnlyTheJobsIncidentsAndItsNodesEvents() {
        List<Incident> incidents = List.of(
                incident(1, "llama", "n1", 10, 1.0),
                incident(2, "llama", "n2", 40, 2.0),
                incident(3, "mixtral", "x9", 20, 5.0));
        List<StoredSignal> events = List.of(
                signal("ib-link-down", "n1", 5, 4),
                signal("ib-link-down", "x9", 6, 1),       // another job's node
                signal("gpu-thermal-throttle", "n2", 30, 1),
                signal("gpu-thermal-slowdown", "n2", 31, 1),
                signal("host-oom", "n1", 50, 1));

        StabilityReport report = StabilityReport.of(incidents, events, Set.of("n1", "n2", "n3"), List.of(), FROM, TO,
                "llama", 24.0);

        assertThat(report.incidents()).isEqualTo(2);
        assertThat(report.restarts()).isEqualTo(2);
        assertThat(report.incidentFreeHours()).isCloseTo(69.0, Offset.offset(1e-6));
        // Free stretches: 0-10 h, 11-40 h, 42-72 h.
        assertThat(report.longestFreeHours()).isCloseTo(30.0, Offset.offset(1e-6));
        assertThat(report.verdict()).isEqualTo("PASS");
        assertThat(report.linkFlaps().total()).isEqualTo(4);
        assertThat(report.linkFlaps().byNode()).containsOnlyKeys("n1");
        assertThat(report.thermalEvents().total()).isEqualTo(2);
        assertThat(report.outOfMemory().total()).isEqualTo(1);
        assertThat(report.memoryGrowth()).startsWith("not measured");
        assertThat(DocumentWriter.write(report.document(), "md")).contains("longest stretch 30.0 h")
                .contains("| link flaps | 4 (n1 4) |");

        assertThat(StabilityReport.of(incidents, events, Set.of("n1", "n2"), List.of(), FROM, TO, "llama", 36.0).verdict())
                .isEqualTo("FAIL");
        assertThat(StabilityReport.of(incidents, events, Set.of(), List.of(), FROM, TO, null, null).verdict()).isNull();
        // A run launched on nodes, its job unnamed: the incidents on those nodes, not another job's elsewhere.
        StabilityReport launched = StabilityReport.of(incidents, events, Set.of("n1", "n2"), List.of(), FROM, TO, null,
                null);
        assertThat(launched.incidentList()).extracting(Incident::id).containsExactly(1L, 2L);
        assertThat(launched.linkFlaps().total()).isEqualTo(4);
    }

    @Test
    void anIncidentNeverMitigatedCountsUntilThePeriodEndsAndOverlapsCountOnce() {
        List<Incident> incidents = List.of(
                incident(1, null, "n1", 60, null),
                incident(2, null, "n2", 61, 3.0));
        StabilityReport report = StabilityReport.of(incidents, List.of(), Set.of(), List.of(), FROM, TO, null, null);
        assertThat(report.restarts()).isEqualTo(1);
        assertThat(report.incidentFreeHours()).isCloseTo(60.0, Offset.offset(1e-6));
        assertThat(report.longestFreeHours()).isCloseTo(60.0, Offset.offset(1e-6));
        assertThatThrownBy(() -> StabilityReport.of(incidents, List.of(), Set.of(), List.of(), TO, FROM, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gpuMemoryThatKeepsRisingHourAfterHourIsSaidAndNoiseIsFlat() {
        Random random = new Random(11);
        List<UtilizationStore.MemoryHour> leaking = new ArrayList<>();
        List<UtilizationStore.MemoryHour> steady = new ArrayList<>();
        for (int h = 0; h < 48; h++) {
            Instant at = FROM.plus(Duration.ofHours(h));
            leaking.add(new UtilizationStore.MemoryHour(at, 60_000 + 25.0 * h + 40 * random.nextGaussian(), 240));
            steady.add(new UtilizationStore.MemoryHour(at, 60_000 + 40 * random.nextGaussian(), 240));
        }
        StabilityReport leak = StabilityReport.of(List.of(), List.of(), Set.of(), leaking, FROM, TO, null, null);
        assertThat(leak.memoryGrowth()).startsWith("rising +").contains("a leak or fragmentation");
        assertThat(leak.memoryGrowthMibPerHour()).isBetween(20.0, 30.0);
        StabilityReport flat = StabilityReport.of(List.of(), List.of(), Set.of(), steady, FROM, TO, null, null);
        assertThat(flat.memoryGrowth()).startsWith("flat: from");
        StabilityReport few = StabilityReport.of(List.of(), List.of(), Set.of(), leaking.subList(0, 2), FROM, TO,
                null, null);
        assertThat(few.memoryGrowth()).startsWith("not measured");
        assertThat(few.memoryGrowthMibPerHour()).isNull();
    }
}
