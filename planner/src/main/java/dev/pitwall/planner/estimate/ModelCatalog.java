package dev.pitwall.planner.estimate;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The model presets shipped in {@code planner/models.yaml}. */
public final class ModelCatalog {

    private record ModelFile(List<ModelSpec> models) {
        ModelFile {
            models = models == null ? List.of() : List.copyOf(models);
        }
    }

    private final List<ModelSpec> models;

    private ModelCatalog(List<ModelSpec> models) {
        this.models = models;
    }

    public static ModelCatalog builtIn() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream("/planner/models.yaml")) {
            return new ModelCatalog(new ConfigLoader<>(ModelFile.class, new ModelFile(null))
                    .load("planner/models.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of()).models());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<ModelSpec> all() {
        return models;
    }

    public Optional<ModelSpec> find(String name) {
        return models.stream().filter(m -> m.name().equalsIgnoreCase(name)).findFirst();
    }

    public ModelSpec get(String name) {
        return find(name).orElseThrow(() -> new ConfigException("no model preset " + name + "; presets: "
                + String.join(", ", models.stream().map(ModelSpec::name).toList())));
    }
}
