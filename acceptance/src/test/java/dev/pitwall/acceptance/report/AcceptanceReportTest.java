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
                .as("headers break at dots, never inside a word")
                .contains("<th>nccl.<wbr>all_reduce_perf.<wbr>avg_busbw<wbr></th>")
                .doesNotContain("break-all")
                .as("a GPU count is a whole number").contains(">1</td>").doesNotContain(">1.0</td>")
                .contains("background:#f8c3c0\">300</td>")
                .doesNotContain("<script").doesNotContain("src=\"http").doesNotContain("href=\"http");
        assertThat(html).as("one message size per node here: no curve to draw").doesNotContain("<polyline");
    }

    @Test
    void namesTheNodesOfEachBusBandwidthCurve() throws Exception {
        for (String node : new String[] {"b01", "b02", "b03", "b04"}) {
            ResultsFolder.node(results, node, "550.54.15", node.equals("b04") ? 300 : 480, "OK");
            // A second, smaller message size, so that each node has a curve.
            Path log = results.resolve(node).resolve("all_reduce_perf.log");
            java.nio.file.Files.writeString(log, java.nio.file.Files.readString(log).replace("# Out of bounds",
                    "  1073741824     268435456     float     sum      -1    5000   214.7  200.00       0    5001   214.6  200.00       0\n"
                            + "# Out of bounds"));
        }
        String html = AcceptanceReport.html("Rack B", null, ResultsEvaluator.evaluate(results, Optional.empty()));
        assertThat(html).contains("<polyline class=\"line flagged\"")
                .containsPattern("<p class=\"legend\"><span style=\"background:#c8102e\"></span>b04\\s*"
                        + "<span style=\"background:#8c96a8\"></span>b01, b02, b03</p>");
    }
}
