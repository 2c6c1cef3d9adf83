package dev.pitwall.trainops.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitwall.core.audit.AuditEvent;
import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageTarget;
import dev.pitwall.core.testing.StepClock;
import dev.pitwall.trainops.TrainOps;
import dev.pitwall.trainops.detect.LogMatcher;
import dev.pitwall.trainops.detect.RuleCatalog;
import dev.pitwall.trainops.signal.StoredSignal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Signals close in time make one incident that names the faulty node; its lifecycle times measure recovery. */
class IncidentsTest {

    private static final LogMatcher MATCHER = new LogMatcher(RuleCatalog.builtIn());
    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

    @TempDir
    Path dir;

    static Stream<String> targets() {
        return StorageTarget.available();
    }

    private interface IncidentsTestBody {
        void run(Incidents incidents, AuditLog audit) throws Exception;
    }

    /** Runs {@code body} with incidents kept in a fresh store of the target, its tables migrated. */
    private void withIncidents(String name, StepClock clock, IncidentsTestBody body) throws Exception {
        try (StorageTarget target = StorageTarget.create(name, dir);
             Database database = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
            database.migrate(AuditLog.MODULE);
            database.migrate(TrainOps.MODULE);
            AuditLog audit = new AuditLog(database, clock);
            body.run(new Incidents(database, audit, clock, RuleCatalog.builtIn().suspectCategories()), audit);
        }
    }

    /** As {@link #withIncidents}, with training progress read from {@code lastSteps} as it is when correlating. */
    private void withIncidents(String name, StepClock clock, Map<String, Instant> lastSteps, AtomicInteger reads,
                               IncidentsTestBody body) throws Exception {
        try (StorageTarget target = StorageTarget.create(name, dir);
             Database database = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
            database.migrate(AuditLog.MODULE);
            database.migrate(TrainOps.MODULE);
            AuditLog audit = new AuditLog(database, clock);
            body.run(new Incidents(database, audit, clock, RuleCatalog.builtIn().suspectCategories(),
                    () -> {
                        reads.incrementAndGet();
                        return Map.copyOf(lastSteps);
                    }), audit);
        }
    }

    /** The loss on {@code node} going NaN, written there at {@code at}. */
    private static StoredSignal nanLoss(String node, Instant at) {
        return StoredSignal.of(node, "log", at, MATCHER.match(" iteration 1200 | lm loss: nan |").orElseThrow());
    }

    private static StoredSignal signal(String node, String line) {
        return StoredSignal.of(node, "log", null, MATCHER.match(line).orElseThrow());
    }

    @ParameterizedTest
    @MethodSource("targets")
    void correlatesAFailureAndMeasuresTimeToRecover(String name) throws Exception {
        StepClock clock = new StepClock(START);
        withIncidents(name, clock, (incidents, audit) -> {

            String timeout = "[rank3]:[E ProcessGroupNCCL.cpp:607] Watchdog caught collective operation timeout: "
                    + "WorkNCCL(SeqNum=2183, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600123 milliseconds";
            incidents.correlate(List.of(signal("gpu-a01", timeout), signal("gpu-a02", timeout)));
            clock.advance(Duration.ofSeconds(30));
            incidents.correlate(List.of(
                    signal("gpu-a07", "NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, name=python, GPU has fallen off the bus.")));
            clock.advance(Duration.ofSeconds(30));
            incidents.correlate(List.of(signal("gpu-a03", "ib0: lost carrier")));

            assertThat(incidents.recent(10)).hasSize(1);
            Incident failure = incidents.recent(1).getFirst();
            assertThat(failure.suspectedNode()).isEqualTo("gpu-a07");
            assertThat(failure.title()).as("the signal naming the first suspect titles it")
                    .isEqualTo("Xid 79: GPU has fallen off the bus");
            assertThat(failure.category()).isEqualTo("gpu");
            assertThat(failure.severity()).isEqualTo("CRITICAL");
            assertThat(failure.signals()).isEqualTo(4);
            assertThat(failure.nodes()).containsExactly("gpu-a01", "gpu-a02", "gpu-a07", "gpu-a03");
            assertThat(failure.state()).isEqualTo(Incident.State.DETECTED);
            assertThat(failure.detectedAt()).isEqualTo(START);
            assertThat(failure.timeToRecover()).isEmpty();

            clock.advance(Duration.ofMinutes(2));
            incidents.advance(failure.id(), Incident.State.ACKNOWLEDGED, "alice");
            clock.advance(Duration.ofMinutes(10));
            Incident mitigated = incidents.advance(failure.id(), Incident.State.MITIGATED, "alice").orElseThrow();
            assertThat(mitigated.timeToRecover()).contains(Duration.ofMinutes(13));
            assertThatThrownBy(() -> incidents.advance(failure.id(), Incident.State.ACKNOWLEDGED, "bob"))
                    .isInstanceOf(IllegalStateException.class).hasMessage("incident " + failure.id() + " is already mitigated");
            clock.advance(Duration.ofHours(1));
            Incident resolved = incidents.advance(failure.id(), Incident.State.RESOLVED, "alice").orElseThrow();
            assertThat(resolved.acknowledgedAt()).isEqualTo(START.plus(Duration.ofMinutes(3)));
            assertThat(resolved.mitigatedAt()).isEqualTo(START.plus(Duration.ofMinutes(13)));
            assertThat(resolved.resolvedAt()).isEqualTo(START.plus(Duration.ofMinutes(73)));
            assertThat(audit.recent(10)).extracting(AuditEvent::action)
                    .containsExactly("incident.resolved", "incident.mitigated", "incident.acknowledged");
            assertThat(incidents.advance(999_999, Incident.State.RESOLVED, "alice")).isEmpty();

            // A lone warning opens nothing; a new error after the failure is settled opens a new incident.
            incidents.correlate(List.of(signal("gpu-a03", "ib0: lost carrier")));
            assertThat(incidents.recent(10)).hasSize(1);
            incidents.correlate(List.of(signal("gpu-a02", " iteration 1200 | lm loss: nan |")));
            assertThat(incidents.recent(10)).hasSize(2);
            assertThat(incidents.recent(1).getFirst().suspectedNode()).isEqualTo("gpu-a02");
        });
    }

    @ParameterizedTest
    @MethodSource("targets")
    void keepsConcurrentJobsFailuresApart(String name) throws Exception {
        StepClock clock = new StepClock(START);
        withIncidents(name, clock, (incidents, audit) -> {
            String timeout = "Watchdog caught collective operation timeout: WorkNCCL(SeqNum=7, OpType=ALLREDUCE, "
                    + "Timeout(ms)=600000) ran for 600123 milliseconds";

            // Job llama hangs on nodes a01-a02; a minute later job qwen hangs on b01-b02: two incidents.
            incidents.correlate(List.of(signal("gpu-a01", timeout).ofJob("llama"), signal("gpu-a02", timeout).ofJob("llama")));
            clock.advance(Duration.ofMinutes(1));
            incidents.correlate(List.of(signal("gpu-b01", timeout).ofJob("qwen"), signal("gpu-b02", timeout).ofJob("qwen")));
            assertThat(incidents.recent(10)).extracting(Incident::job).containsExactly("qwen", "llama");

            // A kernel line (no job) on a node of llama's joins llama's incident, though qwen's is newer.
            incidents.correlate(List.of(signal("gpu-a02",
                    "NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=python, GPU has fallen off the bus.")));
            Incident llama = incidents.recent(10).get(1);
            assertThat(llama.job()).isEqualTo("llama");
            assertThat(llama.suspectedNode()).isEqualTo("gpu-a02");
            assertThat(llama.signals()).isEqualTo(3);
            assertThat(incidents.recent(10).getFirst().signals()).isEqualTo(2);
        });
    }

    private static final String TIMEOUT = "[rank0]:[E ProcessGroupNCCL.cpp:607] Watchdog caught collective operation "
            + "timeout: WorkNCCL(SeqNum=88, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600123 milliseconds";
    private static final String XID_48 = "NVRM: Xid (PCI:0000:3b:00): 48, pid=2311, name=python, An uncorrectable double "
            + "bit error (DBE) has been detected on GPU.";
    private static final String XID_79 = "NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, name=python, GPU has fallen off the bus.";

    /** A line of job llama written on {@code node} at {@code minutes} into the run. */
    private static StoredSignal at(double minutes, String node, String line) {
        Instant written = START.plus(Duration.ofMillis((long) (minutes * 60_000)));
        return StoredSignal.of(node, "log", written, MATCHER.match(line).orElseThrow()).ofJob("llama");
    }

    /** Three GPUs failing minutes apart in one job, each followed by the job's ranks timing out. */
    private static List<StoredSignal> threeFailures() {
        return List.of(at(0, "gpu-a02", XID_48),
                at(0.3, "gpu-a01", TIMEOUT), at(0.3, "gpu-a03", TIMEOUT), at(0.3, "gpu-a06", TIMEOUT),
                at(4, "gpu-a06", XID_79),
                at(4.4, "gpu-a01", TIMEOUT), at(4.4, "gpu-a03", TIMEOUT),
                at(6, "gpu-a06", XID_79),
                at(8, "gpu-a03", XID_79),
                at(8.5, "gpu-a01", TIMEOUT));
    }

    private static void assertThreeIncidents(Incidents incidents) {
        List<Incident> all = incidents.recent(10).reversed();
        assertThat(all).extracting(Incident::suspectedNode).containsExactly("gpu-a02", "gpu-a06", "gpu-a03");
        assertThat(all.getFirst().title()).startsWith("Xid 48");
        assertThat(all).extracting(Incident::suspects)
                .containsExactly(List.of("gpu-a02"), List.of("gpu-a06"), List.of("gpu-a03"));
        // The ranks' timeouts go with the failure whose burst they fall in; the repeat Xid 79 with its own.
        assertThat(all).extracting(Incident::signals).containsExactly(4, 4, 2);
        assertThat(all).extracting(Incident::startedAt)
                .containsExactly(START, START.plus(Duration.ofMinutes(4)), START.plus(Duration.ofMinutes(8)));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void makesOneIncidentPerFailureMinutesApartAndNeverRewritesTheFirst(String name) throws Exception {
        StepClock clock = new StepClock(START);
        withIncidents(name, clock, (incidents, audit) -> {
            // As they arrive: each line half a second after it was written.
            for (StoredSignal signal : threeFailures()) {
                clock.set(signal.occurredAt().plusMillis(500));
                incidents.correlate(List.of(signal));
            }
            assertThreeIncidents(incidents);
        });
    }

    @ParameterizedTest
    @MethodSource("targets")
    void correlatesABatchReplayedLateAsItHappened(String name) throws Exception {
        // An agent that was cut off for an hour sends the whole story at once.
        StepClock clock = new StepClock(START.plus(Duration.ofHours(1)));
        withIncidents(name, clock, (incidents, audit) -> {
            incidents.correlate(threeFailures());
            assertThreeIncidents(incidents);
        });
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aFailureAfterTheJobMadeProgressAgainIsANewIncidentHoweverSoon(String name) throws Exception {
        StepClock clock = new StepClock(START);
        Map<String, Instant> lastSteps = new HashMap<>();
        AtomicInteger reads = new AtomicInteger();
        withIncidents(name, clock, lastSteps, reads, (incidents, audit) -> {
            incidents.correlate(List.of(nanLoss("gpu-a05", START)));
            // No open incident past its burst: training progress is not even read (ingest's hot path).
            assertThat(reads).hasValue(0);
            // Inside the burst a step does not end the failure: its late lines still join.
            lastSteps.put("gpu-a05", START.plusSeconds(20));
            clock.set(START.plusSeconds(30));
            incidents.correlate(List.of(nanLoss("gpu-a05", clock.instant())));
            assertThat(incidents.recent(10)).hasSize(1);
            assertThat(reads).hasValue(0);
            // No step since its last signal: two minutes on, the same node's error still belongs to it.
            clock.set(START.plus(Duration.ofMinutes(2)));
            incidents.correlate(List.of(nanLoss("gpu-a05", clock.instant())));
            assertThat(incidents.recent(10)).singleElement().extracting(Incident::signals).isEqualTo(3);
            // The job resumes on another node's log only: not this incident's nodes, nothing changes.
            lastSteps.put("gpu-a77", START.plus(Duration.ofMinutes(3)));
            clock.set(START.plus(Duration.ofMinutes(4)));
            incidents.correlate(List.of(nanLoss("gpu-a05", clock.instant())));
            assertThat(incidents.recent(10)).hasSize(1);
            // Training runs again on its node, then fails a minute later: a second failure.
            lastSteps.put("gpu-a05", START.plus(Duration.ofMinutes(5)));
            clock.set(START.plus(Duration.ofMinutes(6)));
            incidents.correlate(List.of(nanLoss("gpu-a05", clock.instant())));
            assertThat(incidents.recent(10)).hasSize(2);
            assertThat(incidents.recent(1).getFirst().signals()).isEqualTo(1);
        });
    }

    @ParameterizedTest
    @MethodSource("targets")
    void anIncidentIsMitigatedAtTheFirstStepOnItsNodesAfterItsLastSignal(String name) throws Exception {
        StepClock clock = new StepClock(START);
        Map<String, Instant> lastSteps = new HashMap<>();
        withIncidents(name, clock, lastSteps, new AtomicInteger(), (incidents, audit) -> {
            incidents.correlate(List.of(nanLoss("gpu-a05", START)));
            clock.set(START.plusSeconds(30));
            incidents.correlate(List.of(nanLoss("gpu-a05", START.plusSeconds(30))));
            long id = incidents.recent(1).getFirst().id();
            // No progress anywhere yet; then a step before the fault's last line, and one on a node it never named.
            assertThat(incidents.mitigateRecovered()).isEmpty();
            lastSteps.put("gpu-a05", START.plusSeconds(20));
            lastSteps.put("gpu-a77", START.plus(Duration.ofMinutes(5)));
            assertThat(incidents.mitigateRecovered()).isEmpty();
            assertThat(incidents.get(id).orElseThrow().state()).isEqualTo(Incident.State.DETECTED);

            // Ten seconds after the last line training runs again: well inside the fault's first minute,
            // which must not add itself to the time to recover.
            Instant resumed = START.plusSeconds(40);
            lastSteps.put("gpu-a05", resumed);
            clock.set(START.plusSeconds(55));
            assertThat(incidents.mitigateRecovered()).singleElement().satisfies(i -> {
                assertThat(i.state()).isEqualTo(Incident.State.MITIGATED);
                // The step's time, not the check's.
                assertThat(i.mitigatedAt()).isEqualTo(resumed);
                assertThat(i.timeToRecover()).hasValue(Duration.between(i.detectedAt(), resumed));
                assertThat(i.acknowledgedAt()).as("nobody acknowledged it").isNull();
            });
            assertThat(audit.recent(5)).anySatisfy(e -> {
                assertThat(e.actor()).isEqualTo(Incidents.RECOVERY_ACTOR);
                assertThat(e.action()).isEqualTo("incident.mitigated");
                assertThat(e.detail()).contains("on gpu-a05");
            });
            // Once is enough; a person resolving it later keeps the measured time.
            assertThat(incidents.mitigateRecovered()).isEmpty();
            incidents.advance(id, Incident.State.RESOLVED, "alice");
            assertThat(incidents.get(id).orElseThrow().mitigatedAt()).isEqualTo(resumed);
        });
    }

    @ParameterizedTest
    @MethodSource("targets")
    void anIncidentsWindowCountsFromItsFirstSignalAndDoesNotSlide(String name) throws Exception {
        StepClock clock = new StepClock(START);
        withIncidents(name, clock, (incidents, audit) -> {
            // The same node's loss goes NaN every three minutes: the first incident takes the lines of
            // its first ten minutes; the one at minute 12 starts a second.
            for (int minute = 0; minute <= 12; minute += 3) {
                clock.set(START.plus(Duration.ofMinutes(minute)));
                incidents.correlate(List.of(nanLoss("gpu-a05", clock.instant())));
            }
            assertThat(incidents.recent(10).reversed()).extracting(Incident::signals).containsExactly(4, 1);
            // Another node's error of no job joins inside the second incident's burst, and opens a third past it.
            clock.set(START.plus(Duration.ofMinutes(13)));
            incidents.correlate(List.of(nanLoss("gpu-a09", clock.instant())));
            assertThat(incidents.recent(10)).hasSize(2);
            assertThat(incidents.recent(1).getFirst().nodes()).containsExactly("gpu-a05", "gpu-a09");
            clock.set(START.plus(Duration.ofMinutes(15)));
            incidents.correlate(List.of(nanLoss("gpu-a10", clock.instant())));
            assertThat(incidents.recent(10)).hasSize(3);
            assertThat(incidents.recent(1).getFirst().suspectedNode()).isEqualTo("gpu-a10");
        });
    }

    @ParameterizedTest
    @MethodSource("targets")
    void replicasSharingTheStoreMakeOneIncidentOfOneFault(String name) throws Exception {
        StepClock clock = new StepClock(START);
        try (StorageTarget target = StorageTarget.create(name, dir);
             Database one = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry());
             Database other = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
            one.migrate(AuditLog.MODULE);
            one.migrate(TrainOps.MODULE);
            Incidents first = new Incidents(one, new AuditLog(one, clock), clock, RuleCatalog.builtIn().suspectCategories());
            Incidents second = new Incidents(other, new AuditLog(other, clock), clock,
                    RuleCatalog.builtIn().suspectCategories());
            for (int round = 0; round < 20; round++) {
                // One fault's lines, pushed half to each replica at the same moment.
                double minute = round * 15;
                List<StoredSignal> left = List.of(at(minute, "gpu-a01", TIMEOUT), at(minute, "gpu-a03", TIMEOUT));
                List<StoredSignal> right = List.of(at(minute, "gpu-a02", TIMEOUT), at(minute, "gpu-a04", TIMEOUT));
                clock.set(START.plus(Duration.ofMinutes((long) minute)));
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                var pushes = java.util.concurrent.Executors.newFixedThreadPool(2);
                var a = pushes.submit(() -> {
                    go.await();
                    first.correlate(left);
                    return null;
                });
                var b = pushes.submit(() -> {
                    go.await();
                    second.correlate(right);
                    return null;
                });
                go.countDown();
                a.get();
                b.get();
                pushes.shutdown();
            }
            assertThat(first.recent(100)).hasSize(20).allSatisfy(i -> assertThat(i.signals()).isEqualTo(4));
        }
    }
}
