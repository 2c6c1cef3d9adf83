package dev.pitwall.planner.compare;

import dev.pitwall.core.report.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Lays out a run comparison: the verdict, both curves with the divergence marked, and the points around it. */
public final class CompareReport {

    private static final int AROUND = 5;

    private CompareReport() {
    }

    public static Document of(RunComparison c, List<String> problems) {
        List<Document.Section> sections = new ArrayList<>();
        sections.add(new Document.Facts("Verdict", List.of(
                new Document.Fact("verdict", c.verdict()),
                new Document.Fact("aligned steps", String.valueOf(c.alignedSteps())),
                new Document.Fact("tolerance", String.format(Locale.ROOT, "%.1f%% on a %d-step trailing mean", c.tolerance() * 100,
                        c.window())),
                new Document.Fact("largest difference", String.format(Locale.ROOT, "%.2f%%", c.maxRelativeDifference() * 100)),
                new Document.Fact("mean difference", String.format(Locale.ROOT, "%.2f%%", c.meanRelativeDifference() * 100)))));
        double[] steps = c.points().stream().mapToDouble(RunComparison.Point::step).toArray();
        sections.add(new Document.Lines(c.metric() + " by step", "step", c.metric(), List.of(
                new Document.Series("baseline: " + c.baseline(), "#3b6fd6", steps,
                        c.points().stream().mapToDouble(RunComparison.Point::baseline).toArray()),
                new Document.Series("candidate: " + c.candidate(), "#e07b00", steps,
                        c.points().stream().mapToDouble(RunComparison.Point::candidate).toArray())),
                c.divergesAt().isPresent() ? Double.valueOf(c.divergesAt().getAsLong()) : null));
        if (c.divergesAt().isPresent()) {
            int at = 0;
            while (c.points().get(at).step() != c.divergesAt().getAsLong()) {
                at++;
            }
            List<List<String>> rows = c.points().subList(Math.max(0, at - AROUND), Math.min(c.points().size(), at + AROUND + 1))
                    .stream().map(p -> List.of(String.valueOf(p.step()), number(p.baseline()), number(p.candidate()),
                            Double.isInfinite(p.relativeDifference()) ? "one run is not finite"
                                    : String.format(Locale.ROOT, "%.2f%%", p.relativeDifference() * 100))).toList();
            sections.add(new Document.Table("Around step " + c.divergesAt().getAsLong(), List.of("step", "baseline",
                    "candidate", "smoothed difference"), rows));
        }
        if (!problems.isEmpty()) {
            sections.add(new Document.Table("Lines that could not be read", List.of("where"), problems.stream().map(List::of).toList()));
        }
        return new Document("Run comparison: " + c.metric(), c.baseline() + " against " + c.candidate(), sections);
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.5g", v) : String.valueOf(v);
    }
}
