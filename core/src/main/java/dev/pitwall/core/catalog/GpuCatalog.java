package dev.pitwall.core.catalog;

import dev.pitwall.core.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The GPUs Pitwall knows: the catalog shipped in {@code catalog/gpus.yaml}, extended or
 * overridden (same name) by a user's file of the same shape.
 */
public final class GpuCatalog {

    private record CatalogFile(List<GpuSpec> gpus) {
        CatalogFile {
            gpus = gpus == null ? List.of() : List.copyOf(gpus);
        }
    }

    private static final ConfigLoader<CatalogFile> LOADER = new ConfigLoader<>(CatalogFile.class, new CatalogFile(List.of()));

    private final List<GpuSpec> gpus;

    private GpuCatalog(List<GpuSpec> gpus) {
        this.gpus = List.copyOf(gpus);
    }

    /** The shipped catalog. */
    public static GpuCatalog builtIn() {
        try (InputStream in = GpuCatalog.class.getResourceAsStream("/catalog/gpus.yaml")) {
            if (in == null) {
                throw new IllegalStateException("catalog/gpus.yaml is missing from the core module");
            }
            return new GpuCatalog(LOADER.load("catalog/gpus.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    Map.of()).gpus());
        } catch (IOException e) {
            throw new IllegalStateException("the shipped GPU catalog cannot be read", e);
        }
    }

    /** The shipped catalog with {@code file}'s entries added, replacing shipped ones of the same name. */
    public GpuCatalog with(Path file) {
        List<GpuSpec> extra = LOADER.load(Optional.of(file), Map.of()).gpus();
        List<GpuSpec> merged = new ArrayList<>(gpus);
        for (GpuSpec spec : extra) {
            merged.removeIf(existing -> existing.name().equalsIgnoreCase(spec.name()));
            merged.add(spec);
        }
        return new GpuCatalog(merged);
    }

    public List<GpuSpec> all() {
        return gpus;
    }

    /** The GPU by its catalog name ("h100-sxm") or as a tool reported it ("NVIDIA H100 80GB HBM3"); the most specific match wins. */
    public Optional<GpuSpec> find(String reportedName) {
        Optional<GpuSpec> byName = gpus.stream().filter(g -> g.name().equalsIgnoreCase(reportedName)).findFirst();
        if (byName.isPresent()) {
            return byName;
        }
        return gpus.stream().filter(g -> g.matchLength(reportedName) > 0)
                .max(java.util.Comparator.comparingInt(g -> g.matchLength(reportedName)));
    }
}
