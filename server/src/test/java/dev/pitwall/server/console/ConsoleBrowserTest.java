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
        assertThat(browser.findElement(By.id("backends-up")).getText()).isEqualTo("0 up");
        assertThat(browser.findElement(By.id("last-verdict")).getText()).isEqualTo("none yet");
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
        List<String> sections = List.of("Serving", "Prompts", "Training", "Planner", "Reports");
        assertThat(browser.findElements(By.cssSelector("nav[aria-label=Sections] a")))
                .extracting(WebElement::getText)
                .containsExactly("Overview", "Serving", "Prompts", "Training", "Planner", "Reports");
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

    @Test
    void movesAnIncidentForwardWithItsButtonsAndPagesItsTimeline() throws Exception {
        // One job's collective hangs on 130 nodes within a minute, and a GPU of one of them falls off the bus: one incident
        // whose timeline has more entries than one page shows.
        String timeout = "Watchdog caught collective operation timeout: WorkNCCL(SeqNum=2183, OpType=ALLREDUCE, "
                + "Timeout(ms)=600000) ran for 600123 milliseconds before timing out.";
        StringBuilder lines = new StringBuilder("{\"node\":\"gpu-z007\",\"source\":\"kernel\",\"job\":\"llama\","
                + "\"line\":\"NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, name=python, GPU has fallen off the bus.\"}\n");
        for (int n = 1; n <= 130; n++) {
            lines.append(String.format(java.util.Locale.ROOT, "{\"node\":\"gpu-z%03d\",\"source\":\"job\",\"job\":"
                    + "\"llama\",\"line\":\"[rank%d]:%s\"}%n", n, n, timeout));
        }
        var http = java.net.http.HttpClient.newHttpClient();
        var pushed = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/api/ingest/logs")))
                .header("Content-Type", "application/x-ndjson")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(lines.toString())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(200);
        long id = pitwall.database().jdbi().withHandle(h -> h.createQuery("SELECT MAX(id) FROM incident")
                .mapTo(Long.class).one());
        try {
            browser.get(url("/"));
            assertThat(browser.findElement(By.id("open-incidents")).getText()).as("the fleet at a glance").isEqualTo("1");
            browser.get(url("/training"));
            WebElement row = new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions
                    .presenceOfElementLocated(By.cssSelector("#incidents tr[data-incident='" + id + "']")));
            assertThat(row.getText()).as("a long node list ends in a count").contains("+125 more");

            browser.get(url("/training/incidents/" + id));
            assertThat(browser.findElement(By.id("incident-state")).getText()).isEqualTo("detected");
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("Timeline entries 1–100 of");
            browser.findElement(By.linkText("Next page")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("page=2"));
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("Timeline entries 101–");

            browser.findElement(By.cssSelector("button[data-action=acknowledge]")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("incident-state"),
                    "acknowledged"));
            assertThat(browser.findElements(By.cssSelector("button[data-action=acknowledge]"))).as("done once").isEmpty();
            // Cordoning needs the Kubernetes API, off here: the page says why instead of failing silently.
            browser.findElement(By.cssSelector("button[data-action=cordon]")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !d.findElement(By.id("action-result")).getText()
                    .isBlank() && !d.findElement(By.id("action-result")).getText().equals("…"));
            assertThat(browser.findElement(By.id("action-result")).getText()).containsIgnoringCase("kubernetes");
            // Reports lists every kind, each a link that opens.
            browser.get(url("/reports"));
            assertThat(browser.findElements(By.cssSelector("#incident-reports a"))).extracting(WebElement::getText)
                    .contains("Incident " + id + ": Xid 79: GPU has fallen off the bus");
            assertThat(browser.findElements(By.cssSelector("#planner-reports a"))).hasSize(1);
            browser.findElement(By.linkText("Reliability, last 30 days")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.titleIs(
                    "Reliability, last 30 days · Pitwall"));
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("MTBF");
            browser.get(url("/reports"));
            browser.findElement(By.linkText("Metric design")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.titleIs("Metric design · Pitwall"));
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("Theoretical cluster TFLOPS")
                    .contains("pitwall_reliability_time_to_recover_seconds");
            browser.get(url("/reports"));
            browser.findElement(By.linkText("Training support, last 30 days")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.titleIs("Training support · Pitwall"));
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("Incidents by failure mode")
                    .contains("1 incident has no mitigation time");
            browser.get(url("/reports"));
            browser.findElement(By.linkText("Stability, last 7 days")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.titleIs("Stability · Pitwall"));
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("incident-free")
                    .contains("memory growth");
            browser.get(url("/reports"));
            browser.findElement(By.linkText("Integration test report")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.titleIs(
                    "Integration test report · Pitwall"));
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("Compute–network")
                    .contains("check it: pitwall check scheduler");
            browser.get(url("/training/incidents/" + id));
            browser.findElement(By.cssSelector("button[data-action=resolve]")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("incident-state"),
                    "resolved"));
            long audited = pitwall.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT COUNT(*) FROM audit_event WHERE subject = :subject").bind("subject", "incident " + id)
                    .mapTo(Long.class).one());
            assertThat(audited).as("each step audited").isGreaterThanOrEqualTo(2);
        } finally {
            pitwall.database().jdbi().useHandle(h -> {
                h.execute("UPDATE signal SET incident_id = NULL");
                h.execute("DELETE FROM incident");
            });
        }
    }
}
