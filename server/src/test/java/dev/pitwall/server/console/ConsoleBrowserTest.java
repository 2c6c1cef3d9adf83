package dev.pitwall.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium: the layout renders, the chart library loads from
 * its WebJar and draws, and the navigation leads to every section.
 */
class ConsoleBrowserTest {

    @TempDir
    static Path dataDir;

    private static Pitwall pitwall;
    private static WebDriver browser;

    @BeforeAll
    static void start() {
        browser = HeadlessChromium.start(dataDir.resolve("chromium"));
        pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(ServerConfig.defaults().withPort(0)), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (pitwall != null) {
            pitwall.close();
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + pitwall.port() + path;
    }

    @Test
    void showsTheOverviewWithALiveChart() {
        browser.get(url("/"));
        assertThat(browser.getTitle()).isEqualTo("Overview · Pitwall");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Overview");
        assertThat(browser.findElement(By.id("storage-state")).getText()).isEqualTo("answering");
        assertThat(browser.findElement(By.id("storage")).getText()).startsWith("SQLite ");
        // uPlot draws into a canvas once its script has loaded and the first points arrived.
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("#load-chart .uplot canvas")));
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(d ->
                !d.findElements(By.cssSelector("#load-chart .u-legend .u-series")).isEmpty());
        assertThat(browser.findElement(By.cssSelector("#load-chart .u-legend")).getText())
                .contains("requests/s").contains("heap MiB");
    }

    @Test
    void navigatesToEverySection() {
        browser.get(url("/"));
        List<String> sections = List.of("Serving", "Training", "Planner", "Reports");
        assertThat(browser.findElements(By.cssSelector("nav[aria-label=Sections] a")))
                .extracting(WebElement::getText)
                .containsExactly("Overview", "Serving", "Training", "Planner", "Reports");
        for (String section : sections) {
            browser.findElement(By.linkText(section)).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.titleIs(section + " · Pitwall"));
            assertThat(browser.getCurrentUrl()).isEqualTo(url("/" + section.toLowerCase()));
            assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo(section);
            WebElement current = browser.findElement(By.cssSelector("nav a[aria-current=page]"));
            assertThat(current.getText()).isEqualTo(section);
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(
                    ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".empty-state h2")));
            assertThat(browser.findElement(By.cssSelector(".empty-state h2")).getText()).startsWith("No ");
        }
        browser.findElement(By.linkText("Overview")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.titleIs("Overview · Pitwall"));
    }

    @Test
    void listsAcceptanceRunsAndOpensTheirReports() throws Exception {
        java.nio.file.Path results = dataDir.resolve("acceptance");
        dev.pitwall.sim.cluster.AcceptanceOutputs.write(results, dev.pitwall.sim.cluster.AcceptanceOutputs.demoCluster(), 3);
        var evaluation = dev.pitwall.acceptance.verdict.ResultsEvaluator.evaluate(results, java.util.Optional.empty());
        long id = pitwall.acceptanceRuns().save("Rack C acceptance", null, evaluation);
        try {
            browser.get(url("/training"));
            WebElement row = new WebDriverWait(browser, Duration.ofSeconds(10)).until(
                    ExpectedConditions.presenceOfElementLocated(By.cssSelector("#acceptance-runs tr[data-run='" + id + "']")));
            assertThat(row.getText()).contains("Rack C acceptance").contains("FAIL").contains("8");
            row.findElement(By.linkText("Rack C acceptance")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.titleIs("Rack C acceptance"));
            assertThat(browser.findElement(By.tagName("body")).getText())
                    .contains("gpu-b04").contains("gpu-b06").contains("Where to look first".toUpperCase());
            assertThat(browser.findElements(By.cssSelector("svg polyline"))).hasSize(8);
        } finally {
            pitwall.database().jdbi().useHandle(h -> h.execute("DELETE FROM acceptance_run"));
        }
    }
}
