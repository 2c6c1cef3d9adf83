package dev.pitwall.acceptance.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.ResultsEvaluator;
import dev.pitwall.acceptance.verdict.ResultsFolder;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report a platform team hands over: verdict, bad nodes and why, where to look, charts. */
class AcceptanceReportTest {

    @TempDir
    Path results;

    private Evaluation sickCluster() throws Exception {
        ResultsFolder.node(results, "a01", "550.54.15", 480, "OK");
        ResultsFolder.node(results, "a02", "550.54.15", 482, "OK");
        ResultsFolder.node(results, "a03", "550.54.15", 479, "OK");
        ResultsFolder.node(results, "a04", "550.54.15", 300, "OK");
        return ResultsEvaluator.evaluate(results, Optional.empty());
    }

    @Test
    void namesTheBadNodeWithItsEvidenceAndAHint() throws Exception {
        String md = AcceptanceReport.markdown("Rack B acceptance", null, sickCluster());
        assertThat(md).startsWith("# Rack B acceptance\n")
                .contains("**Verdict: FAIL**")
                .contains("| a01 | PASS | 0 |")
                .contains("| FAIL | a04 | `fleet.nccl.all_reduce_perf.avg_busbw` | 300.00 GB/s | 479.50 GB/s (fleet median) |")
                .contains("NCCL bus bandwidth is low while the GPUs look healthy");
    }

    @Test
    void writesASelfContainedPageWithChartsAndHeatmap() throws Exception {
        String html = AcceptanceReport.html("Rack B acceptance", "h100-sxm-8x", sickCluster());
        assertThat(html).startsWith("<!DOCTYPE html>")
                .contains("<title>Rack B acceptance</title>")
                .contains("held to the h100-sxm-8x profile")
                .contains("<span class=\"verdict FAIL\">FAIL</span>")
                .contains("<th>nccl.all_reduce_perf.avg_busbw</th>")
                .contains("background:#f8c3c0\">300.0</td>")
                .doesNotContain("<script").doesNotContain("src=\"http").doesNotContain("href=\"http");
        assertThat(html).as("one message size per node here: no curve to draw").doesNotContain("<polyline");
    }
}
