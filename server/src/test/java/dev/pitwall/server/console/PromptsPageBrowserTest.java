package dev.pitwall.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.prompt.PromptRegistry;
import dev.pitwall.gateway.prompt.Rollout;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.SimEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The Prompts page in a real browser: versions, labels, rollout, figures per version, history and a diff. */
class PromptsPageBrowserTest {

    @TempDir
    Path dataDir;

    private WebDriver browser;
    private SimEngine engine;
    private Pitwall pitwall;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (pitwall != null) {
            pitwall.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void showsEachPromptsVersionsLabelsFiguresHistoryAndWhatChanged() throws Exception {
        browser = HeadlessChromium.start(dataDir.resolve("chromium"));
        EngineProfile profile = EngineProfile.load("h100-llama3-8b");
        engine = SimEngine.start(profile, 9, "127.0.0.1", 0);
        pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(ServerConfig.defaults().withPort(0))
                .withGateway(GatewayConfig.defaults().withBackends(List.of(BackendConfig.of("sim",
                        engine.baseUrl().toString(), BackendKind.VLLM, List.of(profile.model()),
                        Map.of("llama3-8b", profile.model()))))), Clock.systemUTC());
        PromptRegistry prompts = pitwall.gateway().prompts();
        String version = """
                {"messages":[{"role":"system","content":"You triage tickets."},{"role":"user","content":"%s"}]}""";
        prompts.createVersion("support-triage", Json.object(version.formatted("Be brief.")).orElseThrow(), "test");
        prompts.createVersion("support-triage", Json.object(version.formatted("Be kind.")).orElseThrow(), "test");
        prompts.moveLabel("support-triage", "production", 1, "test", "first release");
        prompts.moveLabel("support-triage", "canary", 2, "test", "kinder answers");
        prompts.setRollout("support-triage", Rollout.parse("support-triage",
                Json.object("{\"split\":{\"production\":90,\"canary\":10}}").orElseThrow()), "test");
        String key = pitwall.gateway().apiKeys().create("console", "test").secret();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + pitwall.port() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3-8b\",\"max_tokens\":5,\"stream\":true,"
                            + "\"prompt\":{\"name\":\"support-triage\",\"label\":\"production\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
        }

        browser.get("http://127.0.0.1:" + pitwall.port() + "/prompts");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.until(d -> !d.findElements(By.cssSelector("section[data-prompt='support-triage']")).isEmpty());
        String page = browser.findElement(By.cssSelector("section[data-prompt='support-triage']")).getText();
        assertThat(page).contains("canary → 2", "production → 1", "production 90 %", "canary 10 %");
        List<String> rows = browser.findElements(By.cssSelector("#versions-support-triage tbody tr")).stream()
                .map(r -> r.getText()).toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).as("version 1 served the three requests").startsWith("1 production 3 0");
        assertThat(rows.get(1)).startsWith("2 canary 0 0");
        assertThat(browser.findElement(By.cssSelector("#history-support-triage")).getText())
                .contains("kinder answers", "first release");
        String changes = browser.findElement(By.cssSelector("#diff-support-triage")).getText();
        assertThat(changes).contains("  system: You triage tickets.", "- user: Be brief.", "+ user: Be kind.");

        new Select(browser.findElements(By.cssSelector("section[data-prompt='support-triage'] select")).get(1))
                .selectByValue("1");
        wait.until(d -> !d.findElement(By.cssSelector("#diff-support-triage")).getText().contains("+ "));
        assertThat(browser.findElement(By.cssSelector("#no-prompt-files")).isDisplayed()).isTrue();
    }
}
