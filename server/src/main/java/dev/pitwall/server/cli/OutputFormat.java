package dev.pitwall.server.cli;

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

    /** Why {@code this} is refused by a command that writes only {@code written}; empty when it writes it. */
    Optional<String> refusedUnless(OutputFormat... written) {
        if (Arrays.asList(written).contains(this)) {
            return Optional.empty();
        }
        return Optional.of("--format " + id() + " is not written by this command; use "
                + Arrays.stream(written).map(OutputFormat::id).collect(Collectors.joining(" or ")));
    }
}
