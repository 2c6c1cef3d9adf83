package dev.pitwall.core.report;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a {@link Document} as aligned text for a terminal, Markdown, or one self-contained HTML page. */
public final class DocumentWriter {

    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(null, ContentType.Html, null,
            "dev.pitwall.core.report.templates");
    private static final int BAR_CHARS = 40;
    /** Widest a text table's cell runs before it wraps. */
    private static final int CELL_WIDTH = 44;
    /** Widest a note's line runs before it wraps. */
    private static final int NOTE_WIDTH = 96;

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
                case Document.Note note -> wrap(note.text(), NOTE_WIDTH).forEach(l -> out.append("  ").append(l).append('\n'));
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

    /**
     * Columns as wide as their widest cell up to {@link #CELL_WIDTH}; longer cells wrap at spaces onto
     * the row's further lines, so a row of long reasons stays readable in an 100-column terminal.
     */
    private static void textTable(StringBuilder out, List<String> columns, List<List<String>> rows) {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = Math.min(CELL_WIDTH, columns.get(i).length());
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], Math.min(CELL_WIDTH, row.get(i).length()));
            }
        }
        appendRow(out, columns, widths);
        for (List<String> row : rows) {
            appendRow(out, row, widths);
        }
    }

    private static void appendRow(StringBuilder out, List<String> cells, int[] widths) {
        List<List<String>> wrapped = new ArrayList<>();
        int height = 1;
        for (int i = 0; i < cells.size(); i++) {
            wrapped.add(wrap(cells.get(i), widths[i]));
            height = Math.max(height, wrapped.get(i).size());
        }
        for (int n = 0; n < height; n++) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < cells.size(); i++) {
                String part = n < wrapped.get(i).size() ? wrapped.get(i).get(n) : "";
                line.append(pad(part, widths[i])).append("  ");
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /** {@code text} in lines of at most {@code width}, broken at spaces (a longer word is cut). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            while (word.length() > width) {
                if (!line.isEmpty()) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                lines.add(word.substring(0, width));
                word = word.substring(width);
            }
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        if (!line.isEmpty() || lines.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
