package dev.pitwall.trainops.check.verdict;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.pitwall.core.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A hardware profile: what each node of a kind should measure, with where each expectation comes
 * from. Shipped profiles live in {@code check/profiles/<name>.yaml}; a user's file of the same
 * shape can be named instead.
 *
 * @param gpu          the catalog name of the node's GPU
 * @param gpusPerNode  GPUs each node should have
 * @param expectations the figures and their thresholds
 */
public record Baseline(String name, String description, String gpu, int gpusPerNode, List<Expectation> expectations) {

    /** Profiles shipped with Pitwall. */
    public static final List<String> BUILT_IN = List.of("h100-sxm-8x", "a100-sxm-8x");

    /**
     * One expected figure (see {@link NodeFigures}): at least {@code passAtLeast} passes, at
     * least {@code warnAtLeast} warns, less fails.
     */
    public record Expectation(String figure, double passAtLeast, double warnAtLeast, String unit, String source) {

        Verdict judge(double value) {
            return value >= passAtLeast ? Verdict.PASS : value >= warnAtLeast ? Verdict.WARN : Verdict.FAIL;
        }
    }

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** A shipped profile by name, or a YAML file by path. */
    public static Baseline load(String nameOrFile) {
        if (BUILT_IN.contains(nameOrFile)) {
            try (InputStream in = Baseline.class.getResourceAsStream("/check/profiles/" + nameOrFile + ".yaml")) {
                return YAML.readValue(in, Baseline.class);
            } catch (IOException e) {
                throw new IllegalStateException("the shipped profile " + nameOrFile + " cannot be read", e);
            }
        }
        Path file = Path.of(nameOrFile);
        if (!Files.exists(file)) {
            throw new ConfigException(nameOrFile + ": no such profile; use one of " + String.join(", ", BUILT_IN)
                    + " or the path of a YAML profile");
        }
        try {
            return YAML.readValue(Files.readString(file), Baseline.class);
        } catch (IOException e) {
            throw new ConfigException(file + ": not a hardware profile (" + e.getMessage().lines().findFirst().orElse("")
                    + ")", e);
        }
    }
}
