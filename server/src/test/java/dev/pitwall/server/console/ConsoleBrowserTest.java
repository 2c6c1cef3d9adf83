package dev.pitwall.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import java.nio.file.Files;
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
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium: the layout renders, the chart library loads from
 * its WebJar and draws, and the navigation leads to every section.
 */
class ConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path dataDir;

    private static Pitwall pitwall;
    private static WebDriver browser;

    @BeforeAll
    static void start() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser test skipped: install Debian's chromium and chromium-driver (.ci/run does)");
        pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(ServerConfig.defaults().withPort(0)), Clock.systemUTC());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // No network beyond loopback here: keep Chromium from calling home at start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,900", "--user-data-dir=" + dataDir.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
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
            assertThat(browser.findElement(By.cssSelector(".empty-state h2")).getText()).startsWith("No ");
        }
        browser.findElement(By.linkText("Overview")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.titleIs("Overview · Pitwall"));
    }
}
