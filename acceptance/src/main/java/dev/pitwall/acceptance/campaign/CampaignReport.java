package dev.pitwall.acceptance.campaign;

import dev.pitwall.acceptance.verdict.Verdict;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A campaign's report in Markdown: where it stands, each failed node with the finding that took it out and its evidence. */
public final class CampaignReport {

    private CampaignReport() {
    }

    public static String markdown(CampaignStatus status) {
        StringBuilder md = new StringBuilder();
        md.append("# Campaign ").append(status.id()).append(": ").append(status.name()).append("\n\n");
        long failed = status.failedNodes().size();
        long warned = status.nodes().values().stream().filter(n -> n.verdict() == Verdict.WARN).count();
        md.append(String.format(Locale.ROOT, "**%s** · plan %s%s · %d round%s · %d nodes: %d failed, %d with warnings · "
                        + "%s to %s%s%n%n", status.verdict(), status.plan(),
                status.profile() == null ? "" : " against " + status.profile(), status.rounds(),
                status.rounds() == 1 ? "" : "s", status.nodes().size(), failed, warned, status.startedAt(),
                status.finishedAt() != null ? status.finishedAt() : status.endsAt(),
                status.finishedAt() == null ? " (running)" : ""));
        md.append("Outputs: `").append(status.folder()).append("`\n\n");
        if (failed > 0) {
            md.append("## Failed nodes\n\n| node | round | stage | check | found | evidence |\n|---|---|---|---|---|---|\n");
            status.nodes().forEach((node, standing) -> {
                CampaignFinding f = standing.failedAt();
                if (f != null) {
                    md.append("| ").append(node).append(" | ").append(f.round()).append(" | ").append(f.stage())
                            .append(" | ").append(f.finding().check()).append(" | ").append(cell(f.finding().detail()))
                            .append(" | `").append(f.evidence()).append("` |\n");
                }
            });
            md.append('\n');
        }
        List<CampaignFinding> warnings = status.findings().stream().filter(f -> f.finding().verdict() == Verdict.WARN)
                .toList();
        if (!warnings.isEmpty()) {
            md.append("## Warnings\n\n| node | round | check | found | evidence |\n|---|---|---|---|---|\n");
            warnings.forEach(f -> md.append("| ").append(f.finding().node()).append(" | ").append(f.round()).append(" | ")
                    .append(f.finding().check()).append(" | ").append(cell(f.finding().detail())).append(" | `")
                    .append(f.evidence()).append("` |\n"));
            md.append('\n');
        }
        md.append("## Stages\n\n| round | stage | nodes | outcome | started | took |\n|---|---|---|---|---|---|\n");
        for (CampaignStore.StageRun s : status.stages()) {
            md.append("| ").append(s.round()).append(" | ").append(s.stage()).append(" | ").append(s.nodes()).append(" | ")
                    .append(s.outcome()).append(" | ").append(s.startedAt()).append(" | ")
                    .append(s.finishedAt() == null ? "" : java.time.Duration.between(s.startedAt(), s.finishedAt()))
                    .append(" |\n");
        }
        md.append("\nEvidence paths are relative to the outputs folder; a trend names its first and last round.\n");
        return md.toString();
    }

    /** Each node's standing in one line, for a terminal. */
    public static String text(CampaignStatus status) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Campaign %d (%s, plan %s): %s after %d round%s; %d of %d nodes failed%n",
                status.id(), status.name(), status.plan(), status.verdict(), status.rounds(),
                status.rounds() == 1 ? "" : "s", status.failedNodes().size(), status.nodes().size()));
        for (Map.Entry<String, CampaignStatus.NodeStanding> e : status.nodes().entrySet()) {
            CampaignFinding f = e.getValue().failedAt();
            if (f != null) {
                out.append(String.format(Locale.ROOT, "  FAIL %-12s round %d, %s: %s%n       evidence: %s%n", e.getKey(),
                        f.round(), f.stage(), f.finding().detail(), Path.of(status.folder()).resolve(f.evidence().split(" … ")[0])));
            }
        }
        status.findings().stream().filter(f -> f.finding().verdict() == Verdict.WARN)
                .forEach(f -> out.append(String.format(Locale.ROOT, "  WARN %-12s round %d, %s: %s%n",
                        f.finding().node(), f.round(), f.stage(), f.finding().detail())));
        return out.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
