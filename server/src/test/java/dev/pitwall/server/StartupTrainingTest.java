package dev.pitwall.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The launcher's AOT training run: every command in it must still end as it expects. */
class StartupTrainingTest {

    @Test
    void runsEachCommandToItsExpectedEndAndLeavesNoFileBehind() throws IOException {
        assertThatCode(() -> StartupTraining.train()).doesNotThrowAnyException();
        try (Stream<Path> left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("pitwall-training"));
        }
    }
}
