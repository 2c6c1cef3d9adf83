package dev.pitwall.core.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.pitwall.core.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The GPUs Pitwall knows: the catalog shipped in {@code catalog/gpus.yaml}, extended or
 * overridden (same name) by a user's file of the same shape.
 */
public final class GpuCatalog {

    private record CatalogFile(List<GpuSpec> gpus) {
    }

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

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
            return new GpuCatalog(YAML.readValue(in, CatalogFile.class).gpus());
        } catch (IOException e) {
            throw new IllegalStateException("the shipped GPU catalog cannot be read", e);
        }
    }

    /** The shipped catalog with {@code file}'s entries added, replacing shipped ones of the same name. */
    public GpuCatalog with(Path file) {
        List<GpuSpec> extra;
        try {
            extra = YAML.readValue(Files.readString(file), CatalogFile.class).gpus();
        } catch (IOException e) {
            throw new ConfigException(file + ": not a GPU catalog (" + e.getMessage().lines().findFirst().orElse("")
                    + "); see catalog/gpus.yaml for the shape", e);
        }
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

    /** The GPU a tool reported by name ("NVIDIA H100 80GB HBM3"); the most specific match wins. */
    public Optional<GpuSpec> find(String reportedName) {
        return gpus.stream().filter(g -> g.matches(reportedName))
                .max(java.util.Comparator.comparingInt(g -> g.match().stream()
                        .filter(m -> reportedName.toLowerCase(java.util.Locale.ROOT).contains(m.toLowerCase(java.util.Locale.ROOT)))
                        .mapToInt(String::length).max().orElse(g.name().length())));
    }
}
