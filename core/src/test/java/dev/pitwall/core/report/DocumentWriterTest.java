package dev.pitwall.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentWriterTest {

    private final Document doc = new Document("Run <a> vs <b>", "two runs", List.of(
            new Document.Facts("Summary", List.of(new Document.Fact("verdict", "diverges from step 120"))),
            new Document.Table("Rows", List.of("name", "value"), List.of(List.of("x|y", "1"), List.of("long name", "22")))
            , new Document.Bars("Memory", List.of(new Document.Bar("weights", 10, "10 GiB"), new Document.Bar("usable", 40, "40 GiB"))),
            new Document.Lines("Loss", "step", "loss", List.of(
                    new Document.Series("a", "#3b6fd6", new double[] {0, 1, 2}, new double[] {3, 2, Double.NaN})), 1.0)));

    @Test
    void writesSelfContainedEscapedHtml() {
        String html = DocumentWriter.write(doc, "html");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("Run &lt;a&gt; vs &lt;b&gt;")
                .contains("<polyline").contains("class=\"marker\"").contains("width: 25.0%").contains("width: 100.0%")
                .doesNotContain("<script").doesNotContain("src=").doesNotContain("href=");
        // A NaN point is left out of the line, not drawn at a made-up height.
        assertThat(html).containsPattern("points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+\"");
    }

    @Test
    void writesAlignedTextAndMarkdown() {
        String text = DocumentWriter.write(doc, "text");
        assertThat(text).contains("  name       value\n  x|y        1\n  long name  22\n")
                .contains("  weights  ##########                                10 GiB");
        String md = DocumentWriter.write(doc, "md");
        assertThat(md).startsWith("# Run <a> vs <b>").contains("| x\\|y | 1 |").contains("| verdict | diverges from step 120 |");
        assertThatThrownBy(() -> DocumentWriter.write(doc, "pdf")).hasMessageContaining("text, md, html or json");
    }

    @Test
    void wrapsLongCellsWithinTheirColumn() {
        String reason = "hard-codes GPU indices; on the platform the scheduler and LOCAL_RANK decide which GPU a rank uses";
        String text = DocumentWriter.write(new Document("Scan", "", List.of(new Document.Table("Findings",
                List.of("where", "why", "fix"), List.of(List.of("train.py:6", reason, "take LOCAL_RANK"))))), "text");
        List<String> rows = text.lines().dropWhile(l -> !l.contains("where")).toList();
        assertThat(rows).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(2 + 10 + 2 + 44 + 2 + 15));
        assertThat(rows.get(1)).startsWith("  train.py:6  hard-codes GPU indices; on the platform the").endsWith("take LOCAL_RANK");
        assertThat(String.join(" ", rows.subList(1, rows.size())).replaceAll("\\s+", " ")).contains(reason.substring(45, 70));
        assertThat(rows.get(2)).startsWith("              scheduler and LOCAL_RANK decide");
        assertThat(DocumentWriter.wrap("a " + "x".repeat(50), 20)).containsExactly("a", "x".repeat(20), "x".repeat(20),
                "x".repeat(10));
    }
}
