package dev.pitwall.planner.scan;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pitwall.core.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Scans a training code repository for what may not run as-is on another GPU platform: custom
 * CUDA/C++ extensions, vendor libraries, device-specific assumptions, pinned GPU-stack versions
 * and private package sources. The verdict: runs directly, needs minor adaptation, or major risk.
 */
public final class MigrationScan {

    /** Folders that hold no code of the repository's own. */
    private static final Set<String> SKIPPED_DIRS = Set.of(".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv",
            "venv", "site-packages", ".tox", ".mypy_cache", ".pytest_cache", ".idea", "dist", "build", "wandb");
    /** Larger files are data or generated code, not what a person wrote. */
    private static final long LARGEST_FILE = 2 * 1024 * 1024;
    private static final int SHOWN_CHARS = 160;

    private record RuleFile(List<ScanRule> rules) {
        RuleFile {
            rules = rules == null ? List.of() : List.copyOf(rules);
        }
    }

    private record CompiledRule(ScanRule rule, PathMatcher files, Optional<Pattern> pattern) {
    }

    public record Finding(@JsonProperty("file") String file, @JsonProperty("line") int line,
                          @JsonProperty("rule") String rule, @JsonProperty("category") String category,
                          @JsonProperty("severity") String severity, @JsonProperty("text") String text,
                          @JsonProperty("reason") String reason, @JsonProperty("fix") String fix) {
    }

    /**
     * @param verdict "runs directly", "needs minor adaptation" or "major risk"
     * @param skipped files left out, with why
     */
    public record Result(@JsonProperty("path") String path, @JsonProperty("verdict") String verdict,
                         @JsonProperty("files_scanned") int filesScanned,
                         @JsonProperty("by_category") Map<String, Integer> byCategory,
                         @JsonProperty("findings") List<Finding> findings, @JsonProperty("skipped") List<String> skipped) {
    }

    private final List<CompiledRule> rules;

    private MigrationScan(List<ScanRule> rules) {
        this.rules = rules.stream().map(r -> new CompiledRule(r, r.fileMatcher(),
                Optional.ofNullable(r.pattern()).map(Pattern::compile))).toList();
    }

    private static final ConfigLoader<RuleFile> LOADER = new ConfigLoader<>(RuleFile.class, new RuleFile(null));

    public static MigrationScan builtIn() {
        return new MigrationScan(shippedRules());
    }

    /** The shipped rules with {@code file}'s added, replacing shipped ones of the same id. */
    public static MigrationScan with(Path file) {
        Map<String, ScanRule> byId = new LinkedHashMap<>();
        shippedRules().forEach(r -> byId.put(r.id(), r));
        LOADER.load(Optional.of(file), Map.of()).rules().forEach(r -> byId.put(r.id(), r));
        return new MigrationScan(List.copyOf(byId.values()));
    }

    private static List<ScanRule> shippedRules() {
        try (InputStream in = MigrationScan.class.getResourceAsStream("/planner/scan-rules.yaml")) {
            return LOADER.load("planner/scan-rules.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of())
                    .rules();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Result scan(Path root) throws IOException {
        if (!Files.exists(root)) {
            throw new IllegalArgumentException(root + ": no such file or folder");
        }
        List<Finding> findings = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int[] scanned = {0};
        // Findings name files relative to the folder scanned (or to a single file's folder).
        Path base = Files.isDirectory(root) ? root : Optional.ofNullable(root.getParent()).orElse(Path.of(""));
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(root) && SKIPPED_DIRS.contains(dir.getFileName().toString())
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path name = file.getFileName();
                List<CompiledRule> applicable = rules.stream().filter(r -> r.files().matches(name)).toList();
                if (applicable.isEmpty() || !attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE;
                }
                String relative = base.relativize(file).toString();
                if (attrs.size() > LARGEST_FILE) {
                    skipped.add(relative + ": larger than 2 MiB");
                    return FileVisitResult.CONTINUE;
                }
                List<String> lines;
                try {
                    lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                } catch (CharacterCodingException notUtf8) {
                    lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
                }
                if (isRuleFile(name, lines)) {
                    skipped.add(relative + ": a file of detection or scan rules; its patterns name what they look for");
                    return FileVisitResult.CONTINUE;
                }
                scanned[0]++;
                for (CompiledRule rule : applicable) {
                    if (rule.pattern().isEmpty()) {
                        findings.add(finding(relative, 1, rule.rule(), lines.isEmpty() ? "" : lines.getFirst()));
                        continue;
                    }
                    for (int i = 0; i < lines.size(); i++) {
                        if (rule.pattern().get().matcher(lines.get(i)).find()) {
                            findings.add(finding(relative, i + 1, rule.rule(), lines.get(i)));
                        }
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                skipped.add(file + ": " + e.getMessage());
                return FileVisitResult.CONTINUE;
            }
        });
        findings.sort(java.util.Comparator.comparing(Finding::file).thenComparingInt(Finding::line));
        Map<String, Integer> byCategory = new TreeMap<>();
        findings.forEach(f -> byCategory.merge(f.category(), 1, Integer::sum));
        String verdict = findings.stream().anyMatch(f -> f.severity().equals("major")) ? "major risk"
                : findings.isEmpty() ? "runs directly" : "needs minor adaptation";
        return new Result(root.toString(), verdict, scanned[0], byCategory, findings, skipped);
    }

    /**
     * A YAML list of rules (this scan's, Pitwall's detection catalog, a user's --rules): entries
     * with an {@code id}, a {@code pattern} and what to do about a match. Its lines hold the very
     * words the rules look for, so they are no finding.
     */
    static boolean isRuleFile(Path name, List<String> lines) {
        String file = name.toString();
        if (!file.endsWith(".yaml") && !file.endsWith(".yml")) {
            return false;
        }
        boolean ids = lines.stream().anyMatch(l -> l.matches("\\s*- id: .+"));
        boolean patterns = lines.stream().anyMatch(l -> l.matches("\\s+pattern: .+"));
        boolean remedies = lines.stream().anyMatch(l -> l.matches("\\s+(fix|action): .+"));
        return ids && patterns && remedies;
    }

    private static Finding finding(String file, int line, ScanRule rule, String text) {
        String shown = text.strip();
        if (shown.length() > SHOWN_CHARS) {
            shown = shown.substring(0, SHOWN_CHARS - 3) + "...";
        }
        return new Finding(file, line, rule.id(), rule.category(), rule.severity(), shown, rule.reason(), rule.fix());
    }
}
