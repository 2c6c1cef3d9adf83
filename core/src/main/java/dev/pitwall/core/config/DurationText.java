package dev.pitwall.core.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in configuration: {@code 250ms}, {@code 10s}, {@code 5m},
 * {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT10S}).
 */
public final class DurationText {

    public static final String EXPECTED = "a duration such as 500ms, 10s, 5m or 1h";

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private DurationText() {
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} naming {@link #EXPECTED}. */
    public static Duration parse(String text) {
        String trimmed = text.strip();
        Matcher m = SIMPLE.matcher(trimmed);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(trimmed);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected " + EXPECTED, e);
        }
    }

    /** The shortest exact form in the units {@link #parse} reads. */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 86_400_000 == 0 && ms != 0) {
            return ms / 86_400_000 + "d";
        } else if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
