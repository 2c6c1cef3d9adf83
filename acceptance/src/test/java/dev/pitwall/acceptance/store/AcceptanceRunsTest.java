package dev.pitwall.acceptance.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.ResultsEvaluator;
import dev.pitwall.acceptance.verdict.ResultsFolder;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageTarget;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Acceptance runs survive in the store with their report, on SQLite and PostgreSQL. */
class AcceptanceRunsTest {

    @TempDir
    Path dir;

    static Stream<String> targets() {
        return StorageTarget.available();
    }

    @ParameterizedTest
    @MethodSource("targets")
    void keepsTheVerdictCountsAndReport(String name) throws Exception {
        Path results = dir.resolve("results");
        ResultsFolder.node(results, "a01", "550.54.15", 480, "OK");
        ResultsFolder.node(results, "a02", "550.54.15", 481, "OK");
        ResultsFolder.node(results, "a03", "550.54.15", 300, "FAULTY");
        Evaluation evaluation = ResultsEvaluator.evaluate(results, Optional.empty());
        try (StorageTarget target = StorageTarget.create(name, dir);
             Database database = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
            database.migrate(AcceptanceRuns.MODULE);
            AcceptanceRuns runs = new AcceptanceRuns(database,
                    Clock.fixed(Instant.parse("2026-11-20T08:00:00Z"), ZoneOffset.UTC));
            long first = runs.save("rack A", null, evaluation);
            long second = runs.save("rack B", "h100-sxm-8x", evaluation);

            assertThat(runs.recent(10)).extracting(AcceptanceRuns.Summary::id).containsExactly(second, first);
            AcceptanceRuns.Summary summary = runs.recent(1).getFirst();
            assertThat(summary.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(summary.nodes()).isEqualTo(3);
            assertThat(summary.failedNodes()).isEqualTo(1);
            assertThat(summary.findings()).isEqualTo(evaluation.findings().size());
            assertThat(summary.profile()).isEqualTo("h100-sxm-8x");
            assertThat(summary.createdAt()).isEqualTo(Instant.parse("2026-11-20T08:00:00Z"));
            assertThat(runs.reportHtml(first)).hasValueSatisfying(html ->
                    assertThat(html).contains("<title>rack A</title>").contains("a03"));
            assertThat(runs.reportHtml(999_999)).isEmpty();

            // The same run on the same outputs (the demo at each start) is kept once; a changed one again.
            assertThat(runs.saveUnlessStored("rack B", "h100-sxm-8x", evaluation)).isEqualTo(second);
            ResultsFolder.node(results, "a04", "550.54.15", 480, "OK");
            Evaluation changed = ResultsEvaluator.evaluate(results, Optional.empty());
            assertThat(runs.saveUnlessStored("rack B", "h100-sxm-8x", changed)).isGreaterThan(second);
            assertThat(runs.recent(10)).hasSize(3);
        }
    }
}
