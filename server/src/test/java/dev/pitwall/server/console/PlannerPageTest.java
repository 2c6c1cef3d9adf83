package dev.pitwall.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Planner page's estimate form over real HTTP: the figures of `plan estimate`, and clear errors. */
class PlannerPageTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private Pitwall pitwall;

    @BeforeEach
    void start() {
        pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dataDir)
                .withServer(new ServerConfig("127.0.0.1", 0, 4096, Duration.ofSeconds(10), false)), Clock.systemUTC(), Map.of());
    }

    @AfterEach
    void stop() {
        pitwall.close();
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pitwall.port() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void showsTheFormAloneUntilSubmitted() throws Exception {
        HttpResponse<String> page = get("/planner");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form class=\"plan-form\"").contains("<option value=\"llama-3-70b\"")
                .contains("<option value=\"h100-sxm\" selected").contains("No estimate yet");
    }

    @Test
    void estimatesWithTheMemoryBreakdownAndStepTime() throws Exception {
        HttpResponse<String> page = get("/planner?model=llama-3-70b&gpu=h100-sxm&gpus=64&tp=8&pp=2&zero=1"
                + "&recompute=selective&seq-len=8192&global-batch=512&tokens=2T&mfu=&price-per-gpu-hour=2.5");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"estimate\"").contains("<h2>Memory per GPU</h2>").contains("<h2>Step time</h2>")
                .contains("TP 8, PP 2, DP 4, ZeRO 1").contains("class=\"bar\"").contains("pipeline")
                // The form keeps what was submitted.
                .contains("<option value=\"llama-3-70b\" selected").contains("name=\"tp\" inputmode=\"numeric\" value=\"8\"");
    }

    @Test
    void saysWhatIsWrongWithTheInput() throws Exception {
        HttpResponse<String> indivisible = get("/planner?model=llama-3-8b&gpus=12&tp=8");
        assertThat(indivisible.statusCode()).isEqualTo(400);
        assertThat(indivisible.body()).contains("class=\"form-error\"").contains("12 GPUs do not divide into TP 8");
        HttpResponse<String> notANumber = get("/planner?model=llama-3-8b&gpus=eight");
        assertThat(notANumber.body()).contains("gpus: \"eight\" is not a whole number");
        HttpResponse<String> script = get("/planner?model=%3Cscript%3Ealert(1)%3C/script%3E");
        assertThat(script.statusCode()).isEqualTo(400);
        assertThat(script.body()).doesNotContain("<script>alert(1)").contains("no model preset &lt;script&gt;");
    }
}
