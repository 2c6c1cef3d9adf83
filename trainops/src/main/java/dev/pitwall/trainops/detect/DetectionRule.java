package dev.pitwall.trainops.detect;

import dev.pitwall.core.config.ConfigProblem;
import dev.pitwall.trainops.signal.Severity;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A log line worth knowing about: a Java regular expression whose named groups become the
 * signal's fields, what it means and what to do.
 *
 * @param literals strings every line the rule matches contains, for the fast pass; empty: every line is tried
 * @param startsAtLiteral every match begins where one of the literals does, so the expression is tried only
 *                        there instead of at every position of the line (where the line holds a literal that
 *                        often does not begin a match, as "loss" in every training step's line, that is most of its cost)
 * @param burst    how repeats of the rule on one node make one signal, or null when each line is one
 */
public record DetectionRule(String id, String category, Severity severity, String pattern, List<String> literals,
                            Boolean startsAtLiteral, String meaning, String action, Burst burst) {

    /**
     * Repeats on one node within {@code within} of the first are one signal, counted; from
     * {@code count} repeats on it is of {@code severity} and means {@code meaning} (six link flaps in
     * five seconds are one flapping link, an error, not six warnings).
     */
    public record Burst(Duration within, int count, Severity severity, String meaning) {

        public Burst {
            if (within == null || within.isNegative() || within.isZero()) {
                throw new ConfigProblem("within", within, "a duration such as 10s");
            }
            ConfigProblem.inRange("count", count, 2, 1000, "a number of repeats");
            severity = severity == null ? Severity.ERROR : severity;
            meaning = meaning == null ? "" : meaning;
        }
    }

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
        startsAtLiteral = Boolean.TRUE.equals(startsAtLiteral);
        if (startsAtLiteral && literals.isEmpty()) {
            throw new ConfigProblem("starts-at-literal", "true with no literals", "literals where the rule's matches begin");
        }
        severity = severity == null ? Severity.WARNING : severity;
        category = category == null ? "other" : category;
        meaning = meaning == null ? "" : meaning;
        action = action == null ? "" : action;
    }
}
