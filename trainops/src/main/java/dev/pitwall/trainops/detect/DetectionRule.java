package dev.pitwall.trainops.detect;

import dev.pitwall.core.config.ConfigProblem;
import dev.pitwall.trainops.signal.Severity;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A log line worth knowing about: a Java regular expression whose named groups become the
 * signal's fields, what it means and what to do.
 *
 * @param literals strings every line the rule matches contains, for the fast pass; empty: every line is tried
 */
public record DetectionRule(String id, String category, Severity severity, String pattern, List<String> literals,
                            String meaning, String action) {

    public DetectionRule {
        if (id == null || !id.matches("[a-z0-9][a-z0-9-]*")) {
            throw new ConfigProblem("id", id == null ? "nothing" : "\"" + id + "\"", "a lower-case id with dashes");
        }
        if (pattern == null || pattern.isEmpty()) {
            throw new ConfigProblem("pattern", "nothing", "a regular expression");
        }
        try {
            Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new ConfigProblem("pattern", "\"" + pattern + "\"", "a valid regular expression (" + e.getDescription() + ")");
        }
        literals = literals == null ? List.of() : List.copyOf(literals);
        if (literals.stream().anyMatch(l -> l.isEmpty() || l.chars().anyMatch(c -> c > 0x7f))) {
            throw new ConfigProblem("literals", literals.toString(), "non-empty ASCII strings");
        }
        severity = severity == null ? Severity.WARNING : severity;
        category = category == null ? "other" : category;
        meaning = meaning == null ? "" : meaning;
        action = action == null ? "" : action;
    }
}
