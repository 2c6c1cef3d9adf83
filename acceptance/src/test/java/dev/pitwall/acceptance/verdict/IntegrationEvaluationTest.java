package dev.pitwall.acceptance.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.report.AcceptanceReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Integration checks' findings as an acceptance run: judged per node, reported like tool outputs. */
class IntegrationEvaluationTest {

    @Test
    void eachNodeTakesItsWorstFindingAndOnlyWhatDidNotPassIsKeptWorstFirst() {
        Evaluation evaluation = Evaluation.ofFindings(List.of("gpu-a01", "gpu-a02"), List.of(
                new Finding("cluster", "scheduler.probe.gang", Verdict.PASS, "2 of 2 started", "all or nothing", "ok"),
                new Finding("gpu-a01", "monitoring.family", Verdict.WARN, "stale", "fresh", "older than 30 s"),
                new Finding("gpu-a01", "monitoring.field", Verdict.FAIL, "missing", "DCGM_FI_PROF_SM_ACTIVE",
                        "add DCGM_FI_PROF_SM_ACTIVE to the counters file"),
                new Finding("cluster", "scheduler.probe.quota", Verdict.WARN, "not run", "run", "needs two idle nodes")),
                4);

        assertThat(evaluation.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(evaluation.nodes()).containsEntry("gpu-a01", Verdict.FAIL).containsEntry("cluster", Verdict.WARN)
                .containsEntry("gpu-a02", Verdict.PASS).hasSize(3);
        assertThat(evaluation.findings()).extracting(Finding::verdict)
                .containsExactly(Verdict.FAIL, Verdict.WARN, Verdict.WARN);
        assertThat(evaluation.evaluable()).isTrue();
        assertThat(AcceptanceReport.html("Monitoring check", null, evaluation))
                .contains("add DCGM_FI_PROF_SM_ACTIVE to the counters file").contains("needs two idle nodes");

        assertThat(Evaluation.ofFindings(List.of(), List.of(), 0).evaluable()).isFalse();
        assertThat(Evaluation.ofFindings(List.of(), List.of(new Finding("cluster", "scheduler.probe.gang", Verdict.PASS, "", "", "")),
                1).verdict()).isEqualTo(Verdict.PASS);
    }
}
