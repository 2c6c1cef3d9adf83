package dev.pitwall.planner.profile;

import dev.pitwall.core.report.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Lays out a profile analysis as a document. */
public final class ProfileReport {

    private ProfileReport() {
    }

    public static Document of(ProfileAnalysis a) {
        List<Document.Section> sections = new ArrayList<>();
        sections.add(new Document.Facts("Verdict", List.of(
                new Document.Fact("bottleneck", a.bottleneck()),
                new Document.Fact("evidence", a.evidence()),
                new Document.Fact("communication hidden behind computation", pct(a.overlapPct())),
                new Document.Fact("stragglers", a.stragglers().isEmpty() ? "none" : String.join("; ", a.stragglers().stream()
                        .map(s -> String.format(Locale.ROOT, "rank %d computes %.0f%% longer than the median (%.1f ms vs %.1f ms)",
                                s.rank(), s.slowerPct(), s.computationMs(), s.medianMs())).toList())))));
        RankProfile.Breakdown b = a.breakdown();
        sections.add(new Document.Bars("Where the GPU time goes" + (a.ranks().size() > 1 ? " (mean of ranks)" : ""), List.of(
                bar("computation", b.computationPct()), bar("communication", b.communicationPct()),
                bar("memory copies", b.memcpyPct()), bar("idle: waiting on the host", a.idle().hostWaitPct()),
                bar("idle: data loading", a.idle().dataLoadingPct()),
                bar("idle: synchronisation", a.idle().synchronizationPct()))));
        if (a.ranks().size() > 1) {
            sections.add(new Document.Table("Per rank", List.of("rank", "computation", "communication", "memcpy", "idle",
                    "overlap", "computation ms", "steps"), a.ranks().stream().map(r -> List.of(String.valueOf(r.rank()),
                    pct(r.breakdown().computationPct()), pct(r.breakdown().communicationPct()), pct(r.breakdown().memcpyPct()),
                    pct(r.breakdown().idlePct()), pct(r.overlapPct()), String.format(Locale.ROOT, "%.1f", r.computationMs()),
                    r.steps() == 0 ? "-" : String.format(Locale.ROOT, "%d x %.1f ms", r.steps(), r.meanStepMs()))).toList()));
        }
        RankProfile first = a.ranks().getFirst();
        sections.add(new Document.Table("Top kernels of rank " + first.rank(), List.of("kernel", "kind", "count", "total",
                "of window"), first.topKernels().stream().map(k -> List.of(k.name(), k.kind(), String.valueOf(k.count()),
                String.format(Locale.ROOT, "%.2f ms", k.totalMs()), pct(k.pctOfWindow()))).toList()));
        String lead = String.format(Locale.ROOT, "%d rank%s, %.1f ms of GPU timeline%s", a.ranks().size(),
                a.ranks().size() == 1 ? "" : "s", first.windowMs(), first.steps() > 0
                        ? String.format(Locale.ROOT, ", %d profiled steps of %.1f ms", first.steps(), first.meanStepMs()) : "");
        return new Document("Profile: " + a.bottleneck(), lead, sections);
    }

    private static Document.Bar bar(String label, double pct) {
        return new Document.Bar(label, pct, pct(pct));
    }

    private static String pct(double value) {
        return String.format(Locale.ROOT, "%.1f%%", value);
    }
}
