package dev.pitwall.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Real tool outputs from public repositories, in the {@code shared/samples} folder beside the
 * repository. CI always has it, so there ({@code CI=true}) a missing sample fails the test that
 * reads it; on a developer's clone without the folder such tests are skipped, saying why.
 */
public final class SharedSamples {

    /** The folder, as seen from a module's directory (where Maven runs its tests). */
    public static final Path ROOT = Path.of("..", "..", "shared", "samples");

    private SharedSamples() {
    }

    /** A sample file or folder, e.g. {@code nccl_tests}; skips or fails the calling test when it is missing. */
    public static Path get(String relative) {
        Path path = ROOT.resolve(relative);
        require(Files.exists(path), path);
        return path;
    }

    /** The whole folder; skips or fails the calling test when it is missing. */
    public static Path root() {
        require(Files.isDirectory(ROOT), ROOT);
        return ROOT;
    }

    /**
     * The whole folder for tests that also run without it (on inputs of their own): empty on a
     * developer's clone without the folder; the calling test fails when {@code CI=true}.
     */
    public static Optional<Path> optionalRoot() {
        return Files.isDirectory(ROOT) || ciRequires() ? Optional.of(root()) : Optional.empty();
    }

    private static boolean ciRequires() {
        return "true".equals(System.getenv("CI"));
    }

    private static void require(boolean present, Path path) {
        String where = path.toAbsolutePath().normalize().toString();
        if (!present && ciRequires()) {
            throw new AssertionError("CI=true but " + where + " is missing: CI runs with shared/samples beside the "
                    + "repository, and the tests that read it must not pass without it");
        }
        assumeTrue(present, "samples skipped: " + where + " is not here");
    }
}
