package dev.pitwall.acceptance.parse;

import dev.pitwall.core.testing.SharedSamples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The real tool outputs in {@code shared/samples} (see {@link SharedSamples}), by tool. */
final class Samples {

    private Samples() {
    }

    /** The samples of one tool, e.g. {@code nccl_tests}; skips (or, in CI, fails) the calling test when absent. */
    static Path dir(String tool) {
        return SharedSamples.get(tool);
    }

    /** Every plain-text sample of every tool; none on a developer's clone without the folder. */
    static List<Path> allText() {
        Optional<Path> root = SharedSamples.optionalRoot();
        if (root.isEmpty()) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root.get())) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().matches(".*\\.(gz|md|source\\.txt)$"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
