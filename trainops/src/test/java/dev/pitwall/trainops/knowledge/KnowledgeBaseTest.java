package dev.pitwall.trainops.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageTarget;
import dev.pitwall.trainops.TrainOps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The knowledge base finds the entry a failure's words point to, learns new ones, and keeps them in the store. */
class KnowledgeBaseTest {

    @TempDir
    Path dir;

    static Stream<String> targets() {
        return StorageTarget.available();
    }

    @ParameterizedTest
    @MethodSource("targets")
    void findsTheRightEntryForAFailureAndLearnsNewOnes(String name) throws Exception {
        try (StorageTarget target = StorageTarget.create(name, dir);
             Database database = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
            database.migrate(TrainOps.MODULE);
            try (KnowledgeBase kb = new KnowledgeBase(database, Clock.systemUTC())) {
                assertThat(kb.all()).hasSize(10).allSatisfy(e -> assertThat(e.origin()).isEqualTo("seed"));

                // An incident's signature: NCCL timeouts on every rank and Xid 79 on one node.
                List<KnowledgeBase.Match> offTheBus = kb.search("Xid 79: GPU has fallen off the bus gpu "
                        + "nccl-watchdog-timeout xid 79 a collective did not finish in time", 3);
                assertThat(offTheBus).isNotEmpty();
                assertThat(offTheBus.getFirst().entry().title()).isEqualTo("GPU fallen off the bus (Xid 79)");
                assertThat(offTheBus).isSortedAccordingTo((a, b) -> Double.compare(b.score(), a.score()));
                assertThat(kb.search("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", 1))
                        .singleElement().satisfies(m -> assertThat(m.entry().title()).isEqualTo("CUDA out of memory"));
                assertThat(kb.search("xid 48 double bit error", 1).getFirst().entry().title()).startsWith("Uncorrectable ECC");
                assertThat(kb.search("   ", 3)).isEmpty();
                // Query syntax is taken as text: no parse error, and operators alone match nothing.
                assertThat(kb.search("AND OR ( [ \" *", 3)).isEmpty();
                assertThat(kb.search("fallen AND (bus", 1).getFirst().entry().title()).isEqualTo("GPU fallen off the bus (Xid 79)");

                KnowledgeEntry learnt = kb.create("Leaf switch port flapping on rack C", "ib link down mlx5_2 rack-c leaf-07",
                        "a worn optic on leaf-07 port 12", "replace the optic", List.of("ticket NET-4411"), "incident 7");
                assertThat(kb.search("mlx5_2 link down on rack-c", 1).getFirst().entry().id()).isEqualTo(learnt.id());
                KnowledgeEntry updated = kb.update(learnt.id(), "leaf-08", null, "replace the optic and clean the port",
                        null, "incident 9").orElseThrow();
                assertThat(updated.symptom()).endsWith("leaf-08");
                assertThat(updated.fix()).isEqualTo("replace the optic and clean the port");
                assertThat(updated.references()).containsExactly("ticket NET-4411");
                assertThat(kb.update(424242, "x", null, null, null, "incident 1")).isEmpty();
                assertThatThrownBy(() -> kb.create(" ", "x", null, null, null, "operator")).hasMessage("title is missing");
            }
            // A restart rebuilds the index from the store: nothing learnt is lost, the seeds are not added twice.
            try (KnowledgeBase again = new KnowledgeBase(database, Clock.systemUTC())) {
                assertThat(again.all()).hasSize(11);
                assertThat(again.search("leaf-08", 1).getFirst().entry().title()).isEqualTo("Leaf switch port flapping on rack C");
            }
        }
    }
}
