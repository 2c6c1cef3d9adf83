package dev.pitwall.acceptance.verdict;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A hardware profile: what each node of a kind should measure, with where each expectation comes
 * from. Shipped profiles live in {@code acceptance/profiles/<name>.yaml}; a user's file of the same
 * shape can be named instead.
 *
 * @param gpu          the catalog name of the node's GPU
 * @param gpusPerNode  GPUs each node should have
 * @param expectations the figures and their thresholds
 */
public record Baseline(String name, String description, String gpu, int gpusPerNode, List<Expectation> expectations) {

    /** Profiles shipped with Pitwall. */
    public static final List<String> BUILT_IN = List.of("h100-sxm-8x", "a100-sxm-8x", "h20-8x", "l40s-pcie-8x");

    /**
     * One expected figure (see {@link NodeFigures}): at least {@code passAtLeast} passes, at
     * least {@code warnAtLeast} warns, less fails.
     */
    public record Expectation(String figure, double passAtLeast, double warnAtLeast, String unit, String source) {

        Verdict judge(double value) {
            return value >= passAtLeast ? Verdict.PASS : value >= warnAtLeast ? Verdict.WARN : Verdict.FAIL;
        }
    }

    public Baseline {
        expectations = expectations == null ? List.of() : List.copyOf(expectations);
    }

    /** A shipped profile by name, or a YAML file by path; errors name the file, line and key. */
    public static Baseline load(String nameOrFile) {
        ConfigLoader<Baseline> loader = new ConfigLoader<>(Baseline.class,
                new Baseline("", "", "", 0, List.of()));
        if (BUILT_IN.contains(nameOrFile)) {
            String resource = "/acceptance/profiles/" + nameOrFile + ".yaml";
            try (InputStream in = Baseline.class.getResourceAsStream(resource)) {
                return loader.load(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
            } catch (IOException e) {
                throw new IllegalStateException("the shipped profile " + nameOrFile + " cannot be read", e);
            }
        }
        Path file = Path.of(nameOrFile);
        if (!Files.exists(file)) {
            throw new ConfigException(nameOrFile + ": no such profile; use one of " + String.join(", ", BUILT_IN)
                    + " or the path of a YAML profile");
        }
        return loader.load(Optional.of(file), Map.of());
    }
}
