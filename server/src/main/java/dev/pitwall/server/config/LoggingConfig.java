package dev.pitwall.server.config;

import dev.pitwall.core.config.ConfigProblem;
import java.util.Locale;

/**
 * How Pitwall logs to standard output.
 *
 * @param format {@code text} for people, {@code json} for one JSON object per line (log shippers)
 * @param level  the least severe level printed: error, warn, info, debug or trace
 */
public record LoggingConfig(String format, String level) {

    public LoggingConfig {
        format = format == null ? "" : format.toLowerCase(Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            throw new ConfigProblem("format", "\"" + format + "\"", "text or json");
        }
        level = level == null ? "" : level.toLowerCase(Locale.ROOT);
        if (!java.util.List.of("error", "warn", "info", "debug", "trace").contains(level)) {
            throw new ConfigProblem("level", "\"" + level + "\"", "one of error, warn, info, debug, trace");
        }
    }

    public static LoggingConfig defaults() {
        return new LoggingConfig("text", "info");
    }
}
