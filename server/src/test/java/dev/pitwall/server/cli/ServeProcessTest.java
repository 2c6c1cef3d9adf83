package dev.pitwall.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pitwall.core.testing.ChildJvm;
import dev.pitwall.server.Main;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code pitwall serve} as a separate process: it says where it listens and stops cleanly on SIGTERM. */
class ServeProcessTest {

    private static final Pattern CONSOLE = Pattern.compile("(?m)^  console  (http://\\S+)$");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void printsTheConsoleUrlAndShutsDownCleanlyOnSigterm() throws Exception {
        Path config = dir.resolve("pitwall.yaml");
        Files.writeString(config, "data-dir: " + dir.resolve("data") + "\nserver:\n  port: 0\n");
        Path output = dir.resolve("stdout.txt");
        Process process = ChildJvm.command(Main.class, List.of("serve", "--config", config.toString()))
                .redirectOutput(output.toFile())
                .start();
        try {
            Matcher console = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> CONSOLE.matcher(Files.readString(output)), Matcher::find);
            URI ready = URI.create(console.group(1)).resolve("/health/ready");
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);

            process.toHandle().destroy(); // SIGTERM, as Kubernetes or Ctrl-C would send
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).as("terminated by SIGTERM").isEqualTo(128 + 15);
        String printed = Files.readString(output);
        assertThat(printed)
                .contains("serving (configuration " + config + ")")
                .contains("  storage  SQLite " + dir.resolve("data").resolve("pitwall.db"))
                .endsWith("Pitwall stopped.\n");
        assertThat(dir.resolve("data").resolve("logs").resolve("access.log")).content().contains("GET /health/ready");
    }
}
