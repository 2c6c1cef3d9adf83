package dev.pitwall.trainops.detect;

import dev.pitwall.core.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The detection rules and the Xid catalog: shipped in {@code detect/rules.yaml}, extended or
 * overridden (same id, same Xid code) by a user's file of the same shape.
 */
public final class RuleCatalog {

    private record RuleFile(List<DetectionRule> rules, List<XidInfo> xid) {
        RuleFile {
            rules = rules == null ? List.of() : List.copyOf(rules);
            xid = xid == null ? List.of() : List.copyOf(xid);
        }
    }

    private static final ConfigLoader<RuleFile> LOADER = new ConfigLoader<>(RuleFile.class, new RuleFile(null, null));

    private final List<DetectionRule> rules;
    private final Map<Integer, XidInfo> xid;

    private RuleCatalog(List<DetectionRule> rules, Map<Integer, XidInfo> xid) {
        this.rules = List.copyOf(rules);
        this.xid = Map.copyOf(xid);
    }

    public static RuleCatalog builtIn() {
        try (InputStream in = RuleCatalog.class.getResourceAsStream("/detect/rules.yaml")) {
            RuleFile file = LOADER.load("detect/rules.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
            return new RuleCatalog(file.rules(), byCode(file.xid(), new LinkedHashMap<>()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This catalog with {@code file}'s rules and Xid codes added or replacing those of the same id or code. */
    public RuleCatalog with(Path file) {
        RuleFile extra = LOADER.load(Optional.of(file), Map.of());
        List<DetectionRule> merged = new ArrayList<>(rules);
        for (DetectionRule rule : extra.rules()) {
            merged.removeIf(existing -> existing.id().equals(rule.id()));
            merged.add(rule);
        }
        return new RuleCatalog(merged, byCode(extra.xid(), new LinkedHashMap<>(xid)));
    }

    public List<DetectionRule> rules() {
        return rules;
    }

    public Optional<XidInfo> xid(int code) {
        return Optional.ofNullable(xid.get(code));
    }

    private static Map<Integer, XidInfo> byCode(List<XidInfo> list, Map<Integer, XidInfo> into) {
        list.forEach(x -> into.put(x.code(), x));
        return into;
    }
}
