package dev.pitwall.trainops.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageTarget;
import dev.pitwall.trainops.TrainOps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Drill results kept in the store, read back whole, newest first; a contradicted verdict never stored. */
class DrillStoreTest {

    @TempDir
    Path dir;

    static Stream<String> targets() {
        return StorageTarget.available();
    }

    private static DrillResult result(String scenario, String verdict, Double detect, Double recover) {
        FaultDrill.Incident incident = detect == null ? null : new FaultDrill.Incident(7, "NCCL watchdog timeout",
                "nccl-timeout", "gpu-c03", Instant.parse("2026-11-30T10:00:02Z"), true,
                Instant.parse("2026-11-30T10:00:01Z"), "nccl-watchdog-timeout");
        return new DrillResult(scenario, verdict, Instant.parse("2026-11-30T10:00:00Z"), detect, recover, 60, 120, 180,
                detect == null ? null : 12L, List.of("nccl-watchdog-timeout"), incident, "{\"node\":\"gpu-c03\"}");
    }

    @ParameterizedTest
    @MethodSource("targets")
    void keepsEachDrillWholeAndListsTheNewestFirst(String name) {
        try (StorageTarget target = StorageTarget.create(name, dir);
             Database database = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
            database.migrate(TrainOps.MODULE);
            DrillStore store = new DrillStore(database, Clock.systemUTC());
            long first = store.save(result("hang-rank", DrillResult.PASS, 1.5, 14.0));
            long second = store.save(result("nic-down", DrillResult.FAIL, null, null));

            assertThat(store.recent(10)).extracting(s -> s.result().scenario()).containsExactly("nic-down", "hang-rank");
            assertThat(store.find(first).orElseThrow().result()).isEqualTo(result("hang-rank", DrillResult.PASS, 1.5, 14.0));
            assertThat(store.find(second).orElseThrow().result().incident()).isNull();
            assertThat(store.find(second + 1)).isEmpty();

            // Detected in time but never recovered cannot be a PASS.
            assertThatThrownBy(() -> store.save(result("disk-full", DrillResult.PASS, 2.0, null)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not follow");
            assertThat(store.recent(10)).hasSize(2);
        }
    }
}
