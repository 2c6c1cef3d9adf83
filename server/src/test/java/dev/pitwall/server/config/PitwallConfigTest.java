package dev.pitwall.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pitwall.yaml as its author experiences it: defaults, overrides, and one-line errors. */
class PitwallConfigTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("pitwall.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private PitwallConfig load(String yaml, Map<String, String> env) throws IOException {
        return PitwallConfig.load(Optional.of(write(yaml)), env);
    }

    private String errorOf(String yaml, Map<String, String> env) {
        return assertThatThrownBy(() -> load(yaml, env)).isInstanceOf(ConfigException.class)
                .actual().getMessage();
    }

    @Test
    void runsOnDefaultsWithoutAFile() {
        PitwallConfig config = PitwallConfig.load(Optional.empty(), Map.of());
        assertThat(config).isEqualTo(PitwallConfig.defaults());
        assertThat(config.server().host()).isEqualTo("127.0.0.1");
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.storage().url()).isEmpty();
        assertThat(config.dataDir()).isEqualTo(Path.of("pitwall-data"));
    }

    @Test
    void takesTheFileOverDefaultsAndTheEnvironmentOverTheFile() throws IOException {
        PitwallConfig config = load("""
                data-dir: /var/lib/pitwall
                server:
                  port: 9000
                  shutdown-grace: 30s
                storage:
                  url: jdbc:postgresql://db.internal:5432/pitwall
                  pool-size: 20
                """, Map.of("PITWALL_SERVER_PORT", "9100", "PITWALL_STORAGE_PASSWORD", "s3cret: #1"));
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/pitwall"));
        assertThat(config.server().port()).isEqualTo(9100);
        assertThat(config.server().shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.server().host()).as("untouched keys keep their default").isEqualTo("127.0.0.1");
        assertThat(config.storage().url()).isEqualTo("jdbc:postgresql://db.internal:5432/pitwall");
        assertThat(config.storage().poolSize()).isEqualTo(20);
        assertThat(config.storage().password()).as("text variables are taken as written").isEqualTo("s3cret: #1");
    }

    @Test
    void fillsInTheDefaultsOfEachBackendEntry() throws IOException {
        PitwallConfig config = load("""
                gateway:
                  backends:
                    - name: vllm-a
                      url: http://10.0.0.11:8000/v1/
                      kind: vllm
                      models: [m]
                      timeouts: {first-token: 20s}
                    - name: other
                      url: http://10.0.0.12:8000/v1
                      models: [m]
                      weight: 3
                """, Map.of());
        assertThat(config.gateway().downAfterProbes()).as("the gateway section's own defaults stay").isEqualTo(3);
        assertThat(load("gateway:\n  down-after-probes: 5\n", Map.of()).gateway().downAfterProbes()).isEqualTo(5);
        var first = config.gateway().backends().get(0);
        assertThat(first.url()).isEqualTo("http://10.0.0.11:8000/v1");
        assertThat(first.weight()).isEqualTo(1.0);
        assertThat(first.maxInFlight()).isEqualTo(256);
        assertThat(first.timeouts().firstToken()).isEqualTo(Duration.ofSeconds(20));
        assertThat(first.timeouts().idle()).isEqualTo(Duration.ofSeconds(30));
        var second = config.gateway().backends().get(1);
        assertThat(second.kind()).isEqualTo(dev.pitwall.gateway.config.BackendKind.OPENAI_COMPATIBLE);
        assertThat(second.weight()).isEqualTo(3.0);
        assertThat(errorOf("gateway:\n  backends:\n    - name: x\n      url: ftp://y\n      models: [m]\n", Map.of()))
                .endsWith(":4: gateway.backends[0].url: found \"ftp://y\", "
                        + "expected an http:// or https:// base URL such as http://127.0.0.1:8000/v1");
        assertThat(errorOf("gateway:\n  backends:\n    - name: x\n      url: http://y/v1\n      models: [m]\n"
                + "      kind: triton\n", Map.of()))
                .contains("gateway.backends[0].kind: found \"triton\", expected one of");
    }

    @Test
    void treatsAnEmptyFileAndEmptyValuesAsDefaults() throws IOException {
        assertThat(load("", Map.of())).isEqualTo(PitwallConfig.defaults());
        assertThat(load("server:\n  port:\n", Map.of()).server().port()).isEqualTo(8080);
    }

    @Test
    void namesTheLineAndTheKnownKeysForAnUnknownKey() {
        String message = errorOf("""
                server:
                  host: 0.0.0.0
                  prot: 9000
                """, Map.of());
        assertThat(message).isEqualTo(dir.resolve("pitwall.yaml") + ":3: server.prot: unknown key; expected one of "
                + "access-log, host, max-request-bytes, port, shutdown-grace");
    }

    @Test
    void saysWhatWasFoundAndExpectedForAWrongType() {
        assertThat(errorOf("server:\n  port: eighty\n", Map.of()))
                .isEqualTo(dir.resolve("pitwall.yaml") + ":2: server.port: found \"eighty\", expected a whole number");
        assertThat(errorOf("server:\n  port: 80.5\n", Map.of()))
                .endsWith(":2: server.port: found 80.5, expected a whole number");
        assertThat(errorOf("server: 8080\n", Map.of()))
                .endsWith(":1: server: found 8080, expected a mapping of keys");
        assertThat(errorOf("server:\n  shutdown-grace: soon\n", Map.of()))
                .endsWith(":2: server.shutdown-grace: found \"soon\", expected a duration such as 500ms, 10s, 5m or 1h");
    }

    @Test
    void rejectsImpossibleValuesWithTheirLine() {
        assertThat(errorOf("server:\n  host: 127.0.0.1\n  port: 70000\n", Map.of()))
                .isEqualTo(dir.resolve("pitwall.yaml") + ":3: server.port: found 70000, "
                        + "expected a TCP port (0 for any free port) between 0 and 65535");
        assertThat(errorOf("storage:\n  url: mysql://db/pitwall\n", Map.of()))
                .endsWith(":2: storage.url: found \"mysql://db/pitwall\", "
                        + "expected empty (embedded SQLite), a jdbc:sqlite: URL or a jdbc:postgresql: URL");
        assertThat(errorOf("logging:\n  format: xml\n", Map.of()))
                .endsWith(":2: logging.format: found \"xml\", expected text or json");
    }

    @Test
    void reportsEveryProblemAtOnceInLineOrder() {
        String message = errorOf("""
                logging:
                  format: xml
                gateway:
                  backends:
                    - name: a
                      url: http://127.0.0.1:9/v1
                      models: [m]
                      kind: vlm
                server:
                  port: 99999
                  prot: 1
                """, Map.of());
        String file = dir.resolve("pitwall.yaml").toString();
        assertThat(message.lines()).containsExactly(
                file + ":2: logging.format: found \"xml\", expected text or json",
                file + ":8: gateway.backends[0].kind: found \"vlm\", expected one of openai-compatible, vllm, sglang, "
                        + "tgi, llamacpp, ollama, openai",
                file + ":10: server.port: found 99999, expected a TCP port (0 for any free port) between 0 and 65535",
                file + ":11: server.prot: unknown key; expected one of access-log, host, max-request-bytes, port, "
                        + "shutdown-grace");
    }

    @Test
    void blamesTheEnvironmentVariableWhenItIsWrong() {
        assertThat(errorOf("server:\n  port: 9000\n", Map.of("PITWALL_SERVER_PORT", "abc")))
                .isEqualTo("environment variable PITWALL_SERVER_PORT: server.port: found \"abc\", expected a whole number");
        assertThat(errorOf("", Map.of("PITWALL_STORAGE_POOL_SIZE", "0")))
                .isEqualTo("environment variable PITWALL_STORAGE_POOL_SIZE: storage.pool-size: found 0, "
                        + "expected a connection count between 1 and 200");
    }

    @Test
    void pointsAtBrokenYamlSyntax() {
        assertThat(errorOf("server:\n  port: 80\n   host: [x\n", Map.of()))
                .startsWith(dir.resolve("pitwall.yaml") + ":3: not valid YAML: ");
        assertThat(errorOf("- just\n- a list\n", Map.of()))
                .isEqualTo(dir.resolve("pitwall.yaml") + ":1: the top level must be a mapping of keys (such as 'server:'), found a list");
    }

    @Test
    void saysWhenTheFileIsMissing() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> PitwallConfig.load(Optional.of(missing), Map.of()))
                .hasMessage(missing + ": no such file (give an existing YAML file with --config)");
    }

    @Test
    void documentsEveryKeyWithItsVariableAndDefault() throws IOException {
        Path docs = Path.of("..", "docs", "configuration.md");
        String text = Files.readString(docs);
        PitwallConfig.loader().keysWithDefaults().forEach((key, value) -> {
            String shown = value.isContainerNode() ? value.toString()
                    : value.asText().isEmpty() ? "\"\"" : value.asText();
            String row = "| `" + key + "` | `" + ConfigLoader.envName(key) + "` | `" + shown + "` |";
            assertThat(text).as("docs/configuration.md lists %s", key).contains(row);
        });
    }
}
