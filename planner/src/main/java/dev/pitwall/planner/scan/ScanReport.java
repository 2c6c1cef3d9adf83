package dev.pitwall.planner.scan;

import dev.pitwall.core.report.Document;
import java.util.ArrayList;
import java.util.List;

/** Lays out a migration-risk scan: the verdict, counts by category, every finding with its reason and fix. */
public final class ScanReport {

    private ScanReport() {
    }

    public static Document of(MigrationScan.Result r) {
        List<Document.Section> sections = new ArrayList<>();
        List<Document.Fact> facts = new ArrayList<>();
        facts.add(new Document.Fact("verdict", r.verdict()));
        facts.add(new Document.Fact("files scanned", String.valueOf(r.filesScanned())));
        r.byCategory().forEach((category, count) -> facts.add(new Document.Fact(category, count + " finding" + (count == 1 ? "" : "s"))));
        sections.add(new Document.Facts("Verdict", facts));
        if (!r.findings().isEmpty()) {
            sections.add(new Document.Table("Findings", List.of("where", "severity", "rule", "line", "why", "fix"),
                    r.findings().stream().map(f -> List.of(f.file() + ":" + f.line(), f.severity(), f.rule(), f.text(),
                            f.reason(), f.fix())).toList()));
        }
        if (!r.skipped().isEmpty()) {
            sections.add(new Document.Table("Not scanned", List.of("file"), r.skipped().stream().map(List::of).toList()));
        }
        return new Document("Migration-risk scan: " + r.verdict(), r.path(), sections);
    }
}
