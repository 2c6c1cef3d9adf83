package dev.pitwall.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pitwall slo rules}: the committed rules in {@code deploy/} are what the command writes
 * for the deployment's config, promtool accepts them, and its unit tests of synthetic series
 * (which must and must not fire each alert) pass.
 */
class SloRulesCommandTest {

    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Path CONFIG = DEPLOY.resolve("kubernetes/base/pitwall.yaml");
    private static final Path RULES = DEPLOY.resolve("prometheus/pitwall-slos.rules.yml");
    private static final Path OPERATOR_RULE = DEPLOY.resolve("kubernetes/base/prometheusrule.yaml");

    @TempDir
    Path out;

    @Test
    void theCommittedRulesAreWhatTheCommandWritesForTheDeploymentsConfig() throws Exception {
        StringWriter stdout = new StringWriter();
        int status = run(stdout, new StringWriter(), "slo", "rules", "--config", CONFIG.toString(), "--output",
                out.toString(), "--prometheus-rule", out.resolve("prometheusrule.yaml").toString());
        assertThat(status).isZero();
        assertThat(stdout.toString()).contains("3 objectives, 9 groups");
        assertThat(out.resolve("pitwall-slos.rules.yml")).as("regenerate with: ./pitwall slo rules --config %s "
                        + "--output deploy/prometheus --prometheus-rule %s", CONFIG, OPERATOR_RULE)
                .hasSameTextualContentAs(RULES, StandardCharsets.UTF_8);
        assertThat(out.resolve("prometheusrule.yaml")).hasSameTextualContentAs(OPERATOR_RULE, StandardCharsets.UTF_8);
    }

    @Test
    void aConfigWithoutObjectivesIsAUsageErrorNotAnEmptyFile() throws Exception {
        Path config = Files.writeString(out.resolve("pitwall.yaml"), "gateway:\n  require-api-key: true\n");
        StringWriter stderr = new StringWriter();
        int status = run(new StringWriter(), stderr, "slo", "rules", "--config", config.toString(), "--output",
                out.resolve("rules").toString());
        assertThat(status).isEqualTo(PitwallCommand.EXIT_USAGE);
        assertThat(stderr.toString()).contains("no objectives", "gateway.slos");
        assertThat(out.resolve("rules")).doesNotExist();
    }

    @Test
    void aBadObjectiveInTheConfigIsNamedWithItsLine() throws Exception {
        Path config = Files.writeString(out.resolve("pitwall.yaml"),
                "gateway:\n  slos:\n    - {name: chat, sli: ttft, objective: 99}\n");
        StringWriter stderr = new StringWriter();
        assertThat(run(new StringWriter(), stderr, "slo", "rules", "--config", config.toString(), "--output",
                out.toString())).isEqualTo(PitwallCommand.EXIT_USAGE);
        assertThat(stderr.toString()).contains("pitwall.yaml:3: gateway.slos[0].threshold");
    }

    @Test
    void promtoolChecksTheRulesAndTheirUnitTestsPass() throws Exception {
        assumeTrue(onPath("promtool"), "promtool not found: install Debian's prometheus package (.ci/run does)");
        assertThat(promtool("check", "rules", RULES.toString())).contains("SUCCESS");
        assertThat(promtool("test", "rules", DEPLOY.resolve("prometheus/tests/pitwall-slos.test.yml").toString()))
                .contains("SUCCESS");
    }

    private static int run(StringWriter stdout, StringWriter stderr, String... args) {
        CommandLine cli = PitwallCommand.commandLine();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        return cli.execute(args);
    }

    private static String promtool(String... args) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of("promtool", args[0], args[1], args[2])).redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
