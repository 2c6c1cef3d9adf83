package dev.pitwall.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.DiagnosticsConfig;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.slo.SliKind;
import dev.pitwall.gateway.slo.SloSpec;
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
import org.openqa.selenium.support.ui.WebDriverWait;

/** The Serving page in a real browser, with a simulated engine behind the gateway. */
class ServingPageBrowserTest {

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

    private HttpResponse<String> chat(String key, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + pitwall.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void showsBackendHealthAndChartsPerModel() throws Exception {
        browser = HeadlessChromium.start(dataDir.resolve("chromium"));
        EngineProfile profile = EngineProfile.load("h100-llama3-8b");
        engine = SimEngine.start(profile, 9, "127.0.0.1", 0);
        pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(ServerConfig.defaults().withPort(0))
                .withGateway(GatewayConfig.defaults().withProbeInterval(Duration.ofMillis(200))
                        // Every request is slow by this measure: the table has rows to show.
                        .withDiagnostics(new DiagnosticsConfig(true, Duration.ofNanos(1), Duration.ofMillis(10)))
                        .withSlos(List.of(
                                new SloSpec("chat-availability", SliKind.AVAILABILITY, 99.9, null, null, "", ""),
                                // No simulated first token comes within a millisecond: this one burns.
                                new SloSpec("instant-ttft", SliKind.TTFT, 99.0, null, Duration.ofMillis(1), "", "")))
                        .withBackends(List.of(BackendConfig.of("sim-h100", engine.baseUrl().toString(), BackendKind.VLLM,
                                List.of(profile.model()), Map.of("llama3-8b", profile.model()))))),
                Clock.systemUTC());
        String key = pitwall.gateway().apiKeys().create("console", "test").secret();
        assertThat(chat(key, "{\"model\":\"llama3-8b\",\"stream\":true,\"max_tokens\":5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(200);
        // A request for a model no backend serves: counted, but no "unknown" or "none" series of its own.
        assertThat(chat(key, "{\"model\":\"gpt-17\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode()).isEqualTo(404);

        browser.get("http://127.0.0.1:" + pitwall.port() + "/serving");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.until(d -> !d.findElements(By.cssSelector("#backends tr[data-backend='sim-h100']")).isEmpty()
                && d.findElement(By.cssSelector("#backends tr[data-backend='sim-h100']")).getText().contains("up"));
        String row = browser.findElement(By.cssSelector("#backends tr[data-backend='sim-h100']")).getText();
        assertThat(row).contains("sim-h100").contains("vllm").contains("0 / 32 (gradient2)").contains("0 %")
                .contains("closed");

        // Rates need two readings; the series are named by model and backend.
        wait.until(d -> d.findElement(By.cssSelector("#rate-chart")).getText().contains("llama3-8b"));
        assertThat(browser.findElement(By.cssSelector("#ttft-chart")).getText())
                .as("percentiles, not a mean").contains("llama3-8b p50").contains("llama3-8b p99");
        assertThat(browser.findElement(By.cssSelector("#error-chart")).getText()).contains("sim-h100");
        for (String chart : List.of("#rate-chart", "#ttft-chart", "#error-chart")) {
            assertThat(browser.findElement(By.cssSelector(chart)).getText()).doesNotContain("unknown").doesNotContain("none");
        }

        // The objectives: the 404 is the client's fault and spends nothing; every first token was late.
        String kept = browser.findElement(By.cssSelector("#slo-table tr[data-slo='chat-availability']")).getText();
        assertThat(kept).contains("99.9 % answered without a server-side error over 30d").contains("ok")
                .contains("100.0 %");
        String burning = browser.findElement(By.cssSelector("#slo-table tr[data-slo='instant-ttft']")).getText();
        assertThat(burning).contains("page").contains("-9900.0 %").contains("100.00")
                .contains("page: burn rate 100.0 over 1h and 100.0 over 5m");
        assertThat(browser.findElement(By.id("no-slos")).isDisplayed()).isFalse();

        String slowest = browser.findElement(By.cssSelector("#slow-requests tbody")).getText();
        assertThat(slowest).contains("llama3-8b").contains("sim-h100").contains(" ms");
        assertThat(browser.findElement(By.id("no-slow-requests")).isDisplayed()).isFalse();
    }
}
