package dev.pitwall.trainops.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageTarget;
import dev.pitwall.trainops.TrainOps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Utilization and framebuffer memory as scrape rounds leave them in the store, hour by hour. */
class UtilizationStoreTest {

    private static final Instant T = Instant.parse("2026-11-20T00:00:00Z");

    @TempDir
    Path dir;

    static Stream<String> targets() {
        return StorageTarget.available();
    }

    private static GpuReading gpu(String node, String pod, double fbMib) {
        return new GpuReading(node, "0", "H100", 90, OptionalDouble.empty(), 0, pod, OptionalDouble.of(fbMib));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void memoryIsTheAllocatedGpusMeanPerHourOnTheNodesAsked(String name) {
        try (StorageTarget target = StorageTarget.create(name, dir);
             Database database = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
            database.migrate(TrainOps.MODULE);
            UtilizationStore store = new UtilizationStore(database);
            for (int round = 0; round < 8; round++) {
                Instant at = T.plus(Duration.ofMinutes(30L * round));
                store.record(at, List.of(gpu("n1", "train-0", 1000 + 100 * round), gpu("n1", "train-0", 3000 + 100 * round),
                        gpu("n2", "other-0", 70_000), gpu("n3", "", 5)));
            }
            List<UtilizationStore.MemoryHour> n1 = store.memoryHourly(Set.of("n1"), T, T.plus(Duration.ofHours(4)));
            // Hour 0: rounds 0 and 1 on two GPUs: (1000 + 3000 + 1100 + 3100) / 4; then 200 MiB more each hour.
            assertThat(n1).extracting(UtilizationStore.MemoryHour::meanMib).containsExactly(2050.0, 2250.0, 2450.0, 2650.0);
            assertThat(n1.getFirst().samples()).isEqualTo(4);
            // Every node's allocated GPUs (n3's idle GPU is no job's); a period of one hour, one hour.
            assertThat(store.memoryHourly(Set.of(), T, T.plus(Duration.ofHours(1)))).singleElement()
                    .satisfies(h -> assertThat(h.meanMib()).isEqualTo((2050.0 * 4 + 70_000 * 2) / 6));
        }
    }
}
