package dev.pitwall.core.report;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a {@link Document} as aligned text for a terminal, Markdown, or one self-contained HTML page. */
public final class DocumentWriter {

    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(null, ContentType.Html, null,
            "dev.pitwall.core.report.templates");
    private static final int BAR_CHARS = 40;

    private DocumentWriter() {
    }

    /** {@code format} is text, md or html. */
    public static String write(Document doc, String format) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "text" -> text(doc);
            case "md", "markdown" -> markdown(doc);
            case "html" -> html(doc);
            default -> throw new IllegalArgumentException("format must be text, md, html or json; found " + format);
        };
    }

    public static String html(Document doc) {
        StringOutput out = new StringOutput();
        TEMPLATES.render("document.jte", Map.of("doc", doc), out);
        return out.toString();
    }

    /** The sections alone, as HTML to place inside another page (the console's); escaped like the whole page. */
    public static String htmlSections(Document doc) {
        StringOutput out = new StringOutput();
        TEMPLATES.render("sections.jte", Map.of("doc", doc), out);
        return out.toString();
    }

    public static String text(Document doc) {
        StringBuilder out = new StringBuilder(doc.title()).append('\n');
        if (!doc.lead().isEmpty()) {
            out.append(doc.lead()).append('\n');
        }
        for (Document.Section section : doc.sections()) {
            out.append('\n').append(section.heading()).append('\n');
            switch (section) {
                case Document.Facts facts -> {
                    int width = facts.facts().stream().mapToInt(f -> f.label().length()).max().orElse(0);
                    facts.facts().forEach(f -> out.append("  ").append(pad(f.label(), width)).append("  ")
                            .append(f.value()).append('\n'));
                }
                case Document.Table table -> textTable(out, table.columns(), table.rows());
                case Document.Bars bars -> {
                    int width = bars.bars().stream().mapToInt(b -> b.label().length()).max().orElse(0);
                    for (Document.Bar bar : bars.bars()) {
                        int n = (int) Math.round(bars.percent(bar) / 100 * BAR_CHARS);
                        out.append("  ").append(pad(bar.label(), width)).append("  ").append(pad("#".repeat(n), BAR_CHARS))
                                .append("  ").append(bar.shown()).append('\n');
                    }
                }
                case Document.Lines lines -> lines.series().forEach(s -> out.append("  ").append(s.name()).append(": ")
                        .append(s.x().length).append(" points (see --format html for the chart)\n"));
                case Document.Note note -> out.append("  ").append(note.text()).append('\n');
            }
        }
        return out.toString();
    }

    public static String markdown(Document doc) {
        StringBuilder out = new StringBuilder("# ").append(doc.title()).append("\n\n");
        if (!doc.lead().isEmpty()) {
            out.append(doc.lead()).append("\n\n");
        }
        for (Document.Section section : doc.sections()) {
            out.append("## ").append(section.heading()).append("\n\n");
            switch (section) {
                case Document.Facts facts -> {
                    out.append("| | |\n|---|---|\n");
                    facts.facts().forEach(f -> out.append("| ").append(cell(f.label())).append(" | ").append(cell(f.value()))
                            .append(" |\n"));
                }
                case Document.Table table -> {
                    out.append("| ").append(String.join(" | ", table.columns().stream().map(DocumentWriter::cell).toList()))
                            .append(" |\n|").append("---|".repeat(table.columns().size())).append('\n');
                    table.rows().forEach(r -> out.append("| ").append(String.join(" | ", r.stream().map(DocumentWriter::cell)
                            .toList())).append(" |\n"));
                }
                case Document.Bars bars -> {
                    out.append("| | | |\n|---|---|---|\n");
                    bars.bars().forEach(b -> out.append("| ").append(cell(b.label())).append(" | `")
                            .append("█".repeat((int) Math.round(bars.percent(b) / 100 * 20))).append("` | ")
                            .append(cell(b.shown())).append(" |\n"));
                }
                case Document.Lines lines -> lines.series().forEach(s -> out.append("- ").append(s.name()).append(": ")
                        .append(s.x().length).append(" points\n"));
                case Document.Note note -> out.append(note.text()).append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static void textTable(StringBuilder out, List<String> columns, List<List<String>> rows) {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = columns.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        appendRow(out, columns, widths);
        for (List<String> row : rows) {
            appendRow(out, row, widths);
        }
    }

    private static void appendRow(StringBuilder out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder("  ");
        for (int i = 0; i < cells.size(); i++) {
            line.append(i == cells.size() - 1 ? cells.get(i) : pad(cells.get(i), widths[i]) + "  ");
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
