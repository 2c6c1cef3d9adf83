package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dcgmi diag's table (written here in DCGM 3.3's layout): each test's result per GPU, failures with their words. */
class DcgmDiagTextParserTest {

    static final String RUN = """
            Successfully ran diagnostic for group.
            +---------------------------+------------------------------------------------+
            | Diagnostic                | Result                                         |
            +===========================+================================================+
            |-----  Metadata  ----------+------------------------------------------------|
            | DCGM Version              | 3.3.5                                          |
            | Driver Version Detected   | 535.161.08                                     |
            | GPU Device IDs Detected   | 2330,2330,2330,2330,2330,2330,2330,2330        |
            |-----  Deployment  --------+------------------------------------------------|
            | Denylist                  | Pass                                           |
            | NVML Library              | Pass                                           |
            | Persistence Mode          | Pass                                           |
            | Page Retirement/Row Remap | Pass                                           |
            +-----  Integration  -------+------------------------------------------------+
            | PCIe                      | Pass - All                                     |
            +-----  Hardware  ----------+------------------------------------------------+
            | GPU Memory                | Pass - All                                     |
            | Diagnostic                | Fail - GPU: 3                                  |
            | Warning                   | GPU 3 Error using CUDA API cudaMemcpy Check    |
            |                           | DCGM and system logs for errors.               |
            +-----  Stress  ------------+------------------------------------------------+
            | Targeted Stress           | Pass - All                                     |
            | Memory Bandwidth          | Skip - All                                     |
            +---------------------------+------------------------------------------------+
            """;

    @Test
    void readsEachTestAndTheFailureWithItsWords(@TempDir Path dir) throws Exception {
        ToolOutput out = ToolParsers.parse(Files.writeString(dir.resolve("dcgmi.txt"), RUN));
        assertThat(out.tool()).isEqualTo("dcgmi-diag");
        assertThat(out.problems()).isEmpty();
        assertThat(out.measurements()).extracting(m -> m.label("test")).containsExactly("Denylist", "NVML Library",
                "Persistence Mode", "Page Retirement/Row Remap", "PCIe", "GPU Memory", "Diagnostic", "Targeted Stress",
                "Memory Bandwidth");
        Measurement diagnostic = out.measurements().get(6);
        assertThat(diagnostic.value()).isZero();
        assertThat(diagnostic.labels()).containsEntry("category", "Hardware").containsEntry("gpu", "3")
                .containsEntry("status", "Fail");
        assertThat(out.measurements().get(8).labels()).containsEntry("status", "Skip");
        assertThat(out.warnings()).singleElement().satisfies(w -> {
            assertThat(w.reason()).isEqualTo("dcgmi diag: Diagnostic failed on GPU 3");
            assertThat(w.text()).isEqualTo("GPU 3 Error using CUDA API cudaMemcpy Check DCGM and system logs for errors.");
        });
    }

    @Test
    void saysWhenThereAreNoResults() {
        ToolOutput out = new DcgmDiagTextParser().parse("cut.txt", List.of(
                "| Diagnostic                | Result                                         |",
                "+===========================+================================================+"));
        assertThat(out.problems()).extracting(Problem::reason).containsExactly(
                "no test results in the table: the diagnostic did not run, or the output is cut short");
    }
}
