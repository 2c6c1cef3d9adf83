package dev.pitwall.planner.scan;

import dev.pitwall.core.config.ConfigProblem;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One thing in a training repository that may not run as-is on another platform.
 *
 * @param files    a glob on file names ({@code *.py}, {@code requirements*.txt})
 * @param pattern  a regular expression a line must contain; none: the file itself is the finding
 * @param severity minor (needs adaptation) or major (a risk to plan for)
 */
public record ScanRule(String id, String category, String files, String pattern, String severity, String reason,
                       String fix) {

    public ScanRule {
        if (id == null || id.isBlank()) {
            throw new ConfigProblem("id", "nothing", "a rule name");
        }
        if (files == null || files.isBlank()) {
            throw new ConfigProblem("files", "nothing", "a glob on file names such as *.py");
        }
        if (!"minor".equals(severity) && !"major".equals(severity)) {
            throw new ConfigProblem("severity", severity == null ? "nothing" : "\"" + severity + "\"", "minor or major");
        }
        if (pattern != null) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw new ConfigProblem("pattern", "\"" + pattern + "\"", "a regular expression (" + e.getDescription() + ")");
            }
        }
        category = category == null ? "other" : category;
        reason = reason == null ? "" : reason;
        fix = fix == null ? "" : fix;
    }

    PathMatcher fileMatcher() {
        return FileSystems.getDefault().getPathMatcher("glob:" + files);
    }
}
