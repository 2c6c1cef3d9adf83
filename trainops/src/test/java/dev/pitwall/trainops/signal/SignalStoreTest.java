package dev.pitwall.trainops.signal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageTarget;
import dev.pitwall.trainops.TrainOps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The period queries a stability report makes: signals of some rules in a period, the nodes a job's lines came from. */
class SignalStoreTest {

    private static final Instant T = Instant.parse("2026-11-20T00:00:00Z");

    @TempDir
    Path dir;

    static Stream<String> targets() {
        return StorageTarget.available();
    }

    private static StoredSignal signal(String rule, String node, String job, Instant occurred) {
        return new StoredSignal(0, null, occurred, node, "kern.log", job, new Signal(rule, "network", Severity.WARNING,
                Map.of(), "", "", "line"));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void findsTheRulesSignalsInThePeriodByTheirOwnTimeAndTheJobsNodes(String name) {
        try (StorageTarget target = StorageTarget.create(name, dir);
             Database database = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
            database.migrate(TrainOps.MODULE);
            // Received long after they happened: the lines' own times decide the period.
            SignalStore store = new SignalStore(database, Clock.fixed(T.plusSeconds(86_400 * 5), ZoneOffset.UTC));
            store.saveAll(List.of(
                    signal("ib-link-down", "n1", null, T.plusSeconds(3600)),
                    signal("ib-link-down", "n2", null, T.minusSeconds(60)),
                    signal("gpu-thermal-throttle", "n1", null, T.plusSeconds(7200)),
                    signal("xid", "n3", "llama", T.plusSeconds(100)),
                    signal("nccl-watchdog-timeout", "n4", "llama", T.plusSeconds(200)),
                    signal("nccl-watchdog-timeout", "n5", "mixtral", T.plusSeconds(200)),
                    signal("nccl-watchdog-timeout", "n6", "llama", T.plusSeconds(86_400 * 2))));

            List<StoredSignal> found = store.ofRules(Set.of("ib-link-down", "gpu-thermal-throttle"), T,
                    T.plusSeconds(86_400));
            assertThat(found).extracting(StoredSignal::node).containsExactly("n1", "n1");
            assertThat(found).extracting(s -> s.signal().rule()).containsExactly("ib-link-down", "gpu-thermal-throttle");
            assertThat(store.ofRules(Set.of(), T, T.plusSeconds(86_400))).isEmpty();
            assertThat(store.nodesOfJob("llama", T, T.plusSeconds(86_400))).containsExactly("n3", "n4");
        }
    }
}
