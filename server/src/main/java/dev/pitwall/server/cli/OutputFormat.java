package dev.pitwall.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.report.Document;
import dev.pitwall.core.report.DocumentWriter;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@code --format} may say, for every command: text for people, JSON for programs, Markdown
 * and HTML for reports. Each command writes text and JSON; those that write reports also write
 * Markdown and HTML, and say so when asked for a format they do not write.
 */
enum OutputFormat {
    TEXT, JSON, MD, HTML;

    /** The format's name as people type it, and as {@code DocumentWriter} reads it. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Writes a report as this format asks: {@code json} pretty-printed for JSON, else {@code document}
     * as text, Markdown or HTML.
     */
    void write(PrintWriter out, Object json, Document document) throws JsonProcessingException {
        out.print(this == JSON ? Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n"
                : DocumentWriter.write(document, id()));
        out.flush();
    }

    /** Why {@code this} is refused by a command that writes only {@code written}; empty when it writes it. */
    Optional<String> refusedUnless(OutputFormat... written) {
        if (Arrays.asList(written).contains(this)) {
            return Optional.empty();
        }
        return Optional.of("--format " + id() + " is not written by this command; use "
                + Arrays.stream(written).map(OutputFormat::id).collect(Collectors.joining(" or ")));
    }
}
