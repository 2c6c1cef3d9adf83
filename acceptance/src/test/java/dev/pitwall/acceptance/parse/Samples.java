package dev.pitwall.acceptance.parse;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

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

    /** Every plain-text sample of every tool, or none when the folder is absent. */
    static List<Path> allText() {
        if (!Files.isDirectory(ROOT)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().matches(".*\\.(gz|md|source\\.txt)$"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
