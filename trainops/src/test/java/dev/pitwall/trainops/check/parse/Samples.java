package dev.pitwall.trainops.check.parse;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real tool outputs from public repositories, in the {@code shared/samples} folder beside the
 * repository (present in CI, absent from a user's clone: then the tests that read them are skipped).
 */
final class Samples {

    private static final Path ROOT = Path.of("..", "..", "shared", "samples");

    private Samples() {
    }

    /** The samples of one tool, e.g. {@code nccl_tests}; skips the calling test when absent. */
    static Path dir(String tool) {
        Path dir = ROOT.resolve(tool);
        assumeTrue(Files.isDirectory(dir), "samples skipped: " + dir.toAbsolutePath().normalize() + " is not here");
        return dir;
    }
}
