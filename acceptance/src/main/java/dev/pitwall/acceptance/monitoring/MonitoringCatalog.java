package dev.pitwall.acceptance.monitoring;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a training cluster's monitoring must expose, by exporter family: the built-in catalog
 * ({@code acceptance/monitoring/catalog.yaml}) or one of the same shape.
 */
public record MonitoringCatalog(List<Family> families) {

    /** Where an item must appear. */
    public enum Per {
        @JsonProperty("gpu") GPU, @JsonProperty("node") NODE, @JsonProperty("cluster") CLUSTER
    }

    /** Whose files a family's series come in. */
    public enum Scope {
        /** One scrape per node (dcgm-exporter, node-exporter, an engine). */
        @JsonProperty("node") NODE,
        /** One scrape for the cluster (kube-state-metrics, the scheduler). */
        @JsonProperty("cluster") CLUSTER
    }

    /**
     * @param metric   the series name expected
     * @param anyOf    other names accepted for it (older names of the same series)
     * @param type     {@code counter} when it must never decrease; else a gauge
     * @param enable   how to turn it on when it is missing
     * @param optional a missing one is a warning, not a failure
     */
    public record Item(String metric, @JsonProperty("any-of") List<String> anyOf, Per per, String type, String enable,
                       Boolean optional) {

        public Item {
            anyOf = anyOf == null ? List.of() : List.copyOf(anyOf);
            type = type == null ? "gauge" : type;
            optional = optional != null && optional;
        }

        public boolean named(String name) {
            return metric.equals(name) || anyOf.contains(name);
        }

        public boolean counter() {
            return type.equals("counter");
        }
    }

    /**
     * @param prefixes  how its series are recognized in a scrape
     * @param nodeLabel the label naming a series' node in a cluster-wide scrape (or in its own, to check the join)
     * @param gpuLabel  the label naming a series' GPU
     * @param required  a cluster without it fails; else it is checked only when present
     * @param group     families of which one is expected (the scheduler: Kueue or Volcano)
     */
    public record Family(String name, List<String> prefixes, Scope scope, @JsonProperty("node-label") String nodeLabel,
                         @JsonProperty("gpu-label") String gpuLabel, Boolean required, String group, List<Item> items) {

        public Family {
            nodeLabel = nodeLabel == null ? "" : nodeLabel;
            gpuLabel = gpuLabel == null ? "" : gpuLabel;
            required = required != null && required;
            group = group == null ? "" : group;
            items = List.copyOf(items);
        }

        public boolean owns(String metric) {
            return prefixes.stream().anyMatch(metric::startsWith);
        }
    }

    private static final YAMLMapper YAML = (YAMLMapper) new YAMLMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static MonitoringCatalog builtIn() {
        try (InputStream in = MonitoringCatalog.class.getResourceAsStream("/acceptance/monitoring/catalog.yaml")) {
            return YAML.readValue(in, MonitoringCatalog.class);
        } catch (IOException e) {
            throw new UncheckedIOException("the built-in monitoring catalog cannot be read", e);
        }
    }

    /** A catalog file; throws {@link IOException} naming what is wrong in it. */
    public static MonitoringCatalog read(Path file) throws IOException {
        return YAML.readValue(Files.readString(file), MonitoringCatalog.class);
    }

    /** The family whose prefixes {@code metric} starts with, if any. */
    public java.util.Optional<Family> familyOf(String metric) {
        return families.stream().filter(f -> f.owns(metric)).findFirst();
    }
}
