package dev.pitwall.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.SimEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI Node SDK, unmodified, against the gateway: whole and streamed chat,
 * embeddings, and its typed errors for an unknown model and a wrong key. Skipped where Node or
 * the SDK is missing; {@code .ci/run} installs the SDK with {@code npm ci --prefix clients/node}.
 */
class OpenAiNodeSdkTest {

    private static final Path CLIENT_DIR = Path.of("..", "clients", "node");

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theOfficialNodeSdkWorksUnchanged() throws Exception {
        assumeTrue(Files.isDirectory(CLIENT_DIR.resolve("node_modules").resolve("openai")),
                "OpenAI Node SDK test skipped: run npm ci --prefix clients/node (.ci/run does)");
        assumeTrue(nodeAvailable(), "OpenAI Node SDK test skipped: no node on PATH");

        EngineProfile profile = EngineProfile.load("h100-llama3-8b");
        try (SimEngine engine = SimEngine.start(profile, 5, "127.0.0.1", 0);
             Pitwall pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                     .withServer(ServerConfig.defaults().withPort(0))
                     .withGateway(GatewayConfig.defaults().withBackends(List.of(BackendConfig.of("sim",
                             engine.baseUrl().toString(), BackendKind.VLLM, List.of(profile.model(), profile.embeddingModel()),
                             Map.of("llama3-8b", profile.model()))))), Clock.systemUTC())) {
            String key = pitwall.gateway().apiKeys().create("node-sdk", "test").secret();
            Path log = dataDir.resolve("node-test.log");
            ProcessBuilder node = new ProcessBuilder("node", "--test", "gateway.test.mjs")
                    .directory(CLIENT_DIR.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            node.environment().put("PITWALL_BASE_URL", "http://127.0.0.1:" + pitwall.port() + "/v1");
            node.environment().put("PITWALL_API_KEY", key);
            node.environment().put("PITWALL_MODEL", "llama3-8b");
            node.environment().put("PITWALL_EMBEDDING_MODEL", profile.embeddingModel());
            Process process = node.start();
            assertThat(process.waitFor(100, TimeUnit.SECONDS)).isTrue();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output).contains("# pass 5").contains("# fail 0");
        }
    }

    private static boolean nodeAvailable() {
        try {
            return new ProcessBuilder("node", "--version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
