package dev.pitwall.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as a first-time user meets it. */
class CommandLineTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = PitwallCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsEveryCommandWithOneLine() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString())
                .contains("Usage: pitwall")
                .containsPattern("(?m)^\\s+serve\\s+Run Pitwall for production")
                .containsPattern("(?m)^\\s+demo\\s+Run everything on embedded defaults");
    }

    @Test
    void suggestsTheCommandMeantAndExitsTwo() {
        assertThat(run("serv")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument at index 0: 'serv'").contains("Did you mean: pitwall serve?");
    }

    @Test
    void rejectsUnknownOptionsWithExitTwo() {
        assertThat(run("serve", "--confg", "x.yaml")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown options: '--confg'").contains("Possible solutions: --config");
    }

    @Test
    void stopsOnABrokenConfigWithOneLineAndExitTwo() throws Exception {
        Path config = dir.resolve("broken.yaml");
        Files.writeString(config, "server:\n  port: 99999\n");
        assertThat(run("serve", "--config", config.toString())).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo(config + ":2: server.port: found 99999, "
                + "expected a TCP port (0 for any free port) between 0 and 65535");
        assertThat(err.toString().strip().lines()).hasSize(1);
    }

    @Test
    void printsItsVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("pitwall ");
    }
}
