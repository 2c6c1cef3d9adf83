package dev.pitwall.acceptance.report;

import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.Finding;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.List;
import java.util.Map;

/**
 * The cluster acceptance report: a self-contained HTML page (styles and SVG charts inline, no
 * script, nothing fetched) or Markdown for a ticket or a pull request.
 */
public final class AcceptanceReport {

    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(null, ContentType.Html, null,
            "dev.pitwall.acceptance.report.templates");

    private AcceptanceReport() {
    }

    public static String html(String title, String profile, Evaluation evaluation) {
        StringOutput out = new StringOutput();
        TEMPLATES.render("acceptance.jte", Map.of("report", ReportView.of(title, profile, evaluation)), out);
        return out.toString();
    }

    public static String markdown(String title, String profile, Evaluation evaluation) {
        Map<String, List<String>> hints = RootCauseHints.of(evaluation.findings());
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        md.append("**Verdict: ").append(evaluation.verdict()).append("** — ").append(evaluation.nodes().size())
                .append(" nodes, ").append(evaluation.files()).append(" tool outputs read")
                .append(profile == null ? "" : ", held to the " + profile + " profile").append(".\n\n");
        md.append("| node | verdict | findings | where to look first |\n|---|---|---|---|\n");
        evaluation.nodes().forEach((node, verdict) -> md.append("| ").append(node).append(" | ").append(verdict)
                .append(" | ").append(evaluation.findings().stream().filter(f -> f.node().equals(node)).count())
                .append(" | ").append(cell(String.join("; ", hints.getOrDefault(node, List.of())))).append(" |\n"));
        if (!evaluation.findings().isEmpty()) {
            md.append("\n## Findings\n\n| verdict | node | check | value | expected | evidence |\n|---|---|---|---|---|---|\n");
            for (Finding f : evaluation.findings()) {
                md.append("| ").append(f.verdict()).append(" | ").append(f.node()).append(" | `").append(f.check())
                        .append("` | ").append(cell(f.value())).append(" | ").append(cell(f.expected())).append(" | ")
                        .append(cell(f.detail())).append(" |\n");
            }
        }
        if (!evaluation.unread().isEmpty()) {
            md.append("\n## Files not read\n\n");
            evaluation.unread().forEach(file -> md.append("- ").append(file).append('\n'));
        }
        return md.toString();
    }

    /** Table cells must not break the table: pipes escaped, lines joined. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
