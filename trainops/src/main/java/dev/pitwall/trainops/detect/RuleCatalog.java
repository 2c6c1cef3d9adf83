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
import java.util.Set;

/**
 * The detection catalog: log rules, the Xid codes, the GPU conditions read from dcgm-exporter,
 * and the categories of hardware faults that name their node as an incident's suspect. Shipped
 * in {@code detect/rules.yaml}, extended or overridden (same id, same Xid code) by a user's file
 * of the same shape; a user's {@code suspect-categories} replace the shipped ones.
 */
public final class RuleCatalog {

    private record RuleFile(List<DetectionRule> rules, List<XidInfo> xid, List<GpuCondition> gpuConditions,
                            Set<String> suspectCategories) {
        RuleFile {
            rules = rules == null ? List.of() : List.copyOf(rules);
            xid = xid == null ? List.of() : List.copyOf(xid);
            gpuConditions = gpuConditions == null ? List.of() : List.copyOf(gpuConditions);
        }
    }

    private static final ConfigLoader<RuleFile> LOADER = new ConfigLoader<>(RuleFile.class,
            new RuleFile(null, null, null, null));

    private final List<DetectionRule> rules;
    private final Map<Integer, XidInfo> xid;
    private final Map<String, GpuCondition> gpuConditions;
    private final Set<String> suspectCategories;

    private RuleCatalog(List<DetectionRule> rules, Map<Integer, XidInfo> xid, Map<String, GpuCondition> gpuConditions,
                        Set<String> suspectCategories) {
        this.rules = List.copyOf(rules);
        this.xid = Map.copyOf(xid);
        this.gpuConditions = Map.copyOf(gpuConditions);
        this.suspectCategories = Set.copyOf(suspectCategories);
    }

    public static RuleCatalog builtIn() {
        try (InputStream in = RuleCatalog.class.getResourceAsStream("/detect/rules.yaml")) {
            RuleFile file = LOADER.load("detect/rules.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
            return new RuleCatalog(file.rules(), byCode(file.xid(), new LinkedHashMap<>()),
                    byId(file.gpuConditions(), new LinkedHashMap<>()),
                    file.suspectCategories() == null ? Set.of() : file.suspectCategories());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This catalog with {@code file}'s rules, Xid codes and GPU conditions added or replacing those of the same id or code. */
    public RuleCatalog with(Path file) {
        RuleFile extra = LOADER.load(Optional.of(file), Map.of());
        // The user's rules first: where one of theirs and a shipped one match at the same place, theirs wins.
        List<DetectionRule> merged = new ArrayList<>(extra.rules());
        for (DetectionRule rule : rules) {
            if (merged.stream().noneMatch(mine -> mine.id().equals(rule.id()))) {
                merged.add(rule);
            }
        }
        return new RuleCatalog(merged, byCode(extra.xid(), new LinkedHashMap<>(xid)),
                byId(extra.gpuConditions(), new LinkedHashMap<>(gpuConditions)),
                extra.suspectCategories() == null ? suspectCategories : extra.suspectCategories());
    }

    public List<DetectionRule> rules() {
        return rules;
    }

    public Optional<XidInfo> xid(int code) {
        return Optional.ofNullable(xid.get(code));
    }

    /**
     * What the GPU condition {@code id} means.
     *
     * @throws IllegalStateException when the catalog lacks it (the shipped one has every condition telemetry raises)
     */
    public GpuCondition gpuCondition(String id) {
        GpuCondition condition = gpuConditions.get(id);
        if (condition == null) {
            throw new IllegalStateException("the detection catalog has no GPU condition " + id);
        }
        return condition;
    }

    /** Categories whose critical signals are faults of their node's own hardware: the node is a suspect. */
    public Set<String> suspectCategories() {
        return suspectCategories;
    }

    private static Map<String, GpuCondition> byId(List<GpuCondition> list, Map<String, GpuCondition> into) {
        list.forEach(c -> into.put(c.id(), c));
        return into;
    }

    private static Map<Integer, XidInfo> byCode(List<XidInfo> list, Map<Integer, XidInfo> into) {
        list.forEach(x -> into.put(x.code(), x));
        return into;
    }
}
