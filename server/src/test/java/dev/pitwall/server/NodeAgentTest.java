package dev.pitwall.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.testing.LogCapture;
import dev.pitwall.core.testing.StepClock;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.trainops.agent.NodeAgent;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node agent ships kernel and job logs; while the server is down it spools, and nothing is lost. */
class NodeAgentTest {

    private static final String XID_79 = "NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, name=python, GPU has fallen off the bus.";
    private static final String XID_48 = "NVRM: Xid (PCI:0000:3b:00): 48, pid=2311, name=python, An uncorrectable double bit "
            + "error (DBE) has been detected on GPU in the framebuffer at partition 0, subpartition 0.";
    private static final String NCCL_TIMEOUT = "[rank3]:[E ProcessGroupNCCL.cpp:607] Watchdog caught collective operation "
            + "timeout: WorkNCCL(SeqNum=2183, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600123 milliseconds before timing out.";

    @TempDir
    Path dir;

    private Pitwall pitwall;

    @AfterEach
    void stop() {
        if (pitwall != null) {
            pitwall.close();
        }
    }

    private void startServer(int port) {
        pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(dir.resolve("server"))
                .withServer(new ServerConfig("127.0.0.1", port, 1 << 20, Duration.ofSeconds(10), false)), Clock.systemUTC());
    }

    private JsonNode signals(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/ingest/signals?limit=100")).build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(response.body());
    }

    private static void append(Path file, String... lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void shipsLogsAndLosesNothingWhileTheServerRestarts() throws Exception {
        int port = freePort();
        startServer(port);
        Path kernel = dir.resolve("kern.log");
        append(kernel, XID_79.replace("79", "31") + " (history from before the agent started)");
        Path jobs = Files.createDirectories(dir.resolve("jobs"));
        NodeAgent.Settings settings = new NodeAgent.Settings(URI.create("http://127.0.0.1:" + port), "gpu-c03",
                kernel.toString(), List.of(jobs + "/*.log"), dir.resolve("spool"), null, null);

        NodeAgent agent = new NodeAgent(settings, Clock.systemUTC());
        append(kernel, XID_79, "systemd[1]: Started Session 4 of user root.");
        append(jobs.resolve("train-1.log"), "iteration 10/ 100 | lm loss: 2.31E+00 |", NCCL_TIMEOUT); // a new file: read whole
        assertThat(agent.step()).isTrue();
        assertThat(agent.sent()).isEqualTo(4);
        JsonNode first = signals(port);
        assertThat(first.findValuesAsText("rule")).containsExactly("nccl-watchdog-timeout", "xid");
        assertThat(first.get(1).path("signal").path("text").asText()).doesNotContain("history");

        // The server goes away; the node keeps logging; the agent spools, then restarts itself too.
        pitwall.close();
        pitwall = null;
        append(kernel, XID_48);
        append(jobs.resolve("train-1.log"), "iteration 11/ 100 | lm loss: nan |");
        assertThat(agent.step()).isFalse();
        agent.close();
        assertThat(Files.size(dir.resolve("spool/spool.jsonl"))).isPositive();

        startServer(port);
        try (NodeAgent restarted = new NodeAgent(settings, Clock.systemUTC())) {
            append(kernel, "kernel: usb 1-1: new high-speed USB device");
            assertThat(restarted.step()).isTrue();
            assertThat(restarted.sent()).isEqualTo(3);
        }
        // Everything, once, in the order it was written (newest first here), kept across the server's restart.
        assertThat(signals(port).findValuesAsText("rule")).containsExactly("nan-loss", "xid", "nccl-watchdog-timeout", "xid");
        assertThat(signals(port).get(1).path("signal").path("fields").path("xid").asText()).isEqualTo("48");
        assertThat(signals(port).findValuesAsText("node")).containsOnly("gpu-c03");
        assertThat(signals(port).get(0).path("source").asText()).isEqualTo("job:train-1.log");
        assertThat(Files.size(dir.resolve("spool/spool.jsonl"))).as("the spool starts over once all is sent").isZero();
    }

    @Test
    void followsRotatedLogsAndCompletesPartialLines() throws Exception {
        int port = freePort();
        startServer(port);
        Path kernel = dir.resolve("kern.log");
        Files.writeString(kernel, "");
        Path job = dir.resolve("train.log");
        try (NodeAgent agent = new NodeAgent(new NodeAgent.Settings(URI.create("http://127.0.0.1:" + port), "gpu-c04",
                kernel.toString(), List.of(job.toString()), dir.resolve("spool"), null, null), Clock.systemUTC())) {
            Files.writeString(kernel, XID_79.substring(0, 20), StandardOpenOption.APPEND);
            assertThat(agent.step()).isTrue();
            assertThat(agent.sent()).as("half a line waits").isZero();
            Files.writeString(kernel, XID_79.substring(20) + "\n", StandardOpenOption.APPEND);
            agent.step();
            assertThat(agent.sent()).isEqualTo(1);

            // logrotate: the file is moved away and a new one created under the name.
            Files.move(kernel, dir.resolve("kern.log.1"));
            append(kernel, XID_48);
            agent.step();
            assertThat(agent.sent()).isEqualTo(2);

            // A job log named by its plain path is followed once it appears.
            append(job, NCCL_TIMEOUT);
            agent.step();
            assertThat(agent.sent()).isEqualTo(3);
        }
        assertThat(signals(port).findValuesAsText("rule")).containsExactly("nccl-watchdog-timeout", "xid", "xid");
        assertThat(signals(port).get(1).path("signal").path("fields").path("xid").asText()).isEqualTo("48");
    }

    /** Stands in for nvidia-smi -q -x: prints an inventory of two H100s in its XML format. */
    private List<String> inventoryCommand() throws IOException {
        Path xml = Files.writeString(dir.resolve("smi.xml"), """
                <?xml version="1.0" ?>
                <!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">
                <nvidia_smi_log>
                  <driver_version>550.54.15</driver_version>
                  <cuda_version>12.4</cuda_version>
                  <gpu id="00000000:18:00.0">
                    <product_name>NVIDIA H100 80GB HBM3</product_name>
                    <vbios_version>96.00.99.00.01</vbios_version>
                    <ecc_mode><current_ecc>Enabled</current_ecc></ecc_mode>
                  </gpu>
                  <gpu id="00000000:2A:00.0">
                    <product_name>NVIDIA H100 80GB HBM3</product_name>
                    <vbios_version>96.00.74.00.0A</vbios_version>
                  </gpu>
                </nvidia_smi_log>
                """);
        return List.of("cat", xml.toString());
    }

    @Test
    void pushesTheNodesGpuMetricsAndInventory() throws Exception {
        int port = freePort();
        startServer(port);
        com.sun.net.httpserver.HttpServer exporter = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        String exposition = """
                # HELP DCGM_FI_DEV_CLOCKS_EVENT_REASONS Current clock event reasons (bitmask of DCGM_CLOCKS_EVENT_REASON_*)
                # TYPE DCGM_FI_DEV_CLOCKS_EVENT_REASONS gauge
                DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="5",UUID="GPU-1",device="nvidia5",modelName="NVIDIA H100 80GB HBM3",Hostname="localhost"} 256
                DCGM_FI_DEV_GPU_UTIL{gpu="5",UUID="GPU-1",device="nvidia5",modelName="NVIDIA H100 80GB HBM3",Hostname="localhost"} 88
                """;
        exporter.createContext("/metrics", exchange -> {
            byte[] body = exposition.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        exporter.start();
        try (NodeAgent agent = new NodeAgent(new NodeAgent.Settings(URI.create("http://127.0.0.1:" + port), "gpu-c05", null,
                List.of(), dir.resolve("spool"), URI.create("http://127.0.0.1:" + exporter.getAddress().getPort() + "/metrics"),
                inventoryCommand()),
                Clock.systemUTC())) {
            agent.step();
        } finally {
            exporter.stop(0);
        }
        JsonNode signal = signals(port).get(0);
        assertThat(signal.path("signal").path("rule").asText()).isEqualTo("gpu-power-brake");
        // The agent names its node; the exporter's Hostname label may be a pod's name.
        assertThat(signal.path("node").asText()).isEqualTo("gpu-c05");
        assertThat(signal.path("signal").path("fields").path("gpu").asText()).isEqualTo("5");

        JsonNode inventory = Json.mapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/ingest/inventory")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(inventory).singleElement().satisfies(node -> {
            assertThat(node.path("node").asText()).isEqualTo("gpu-c05");
            assertThat(node.path("gpus")).hasSize(2);
            assertThat(node.path("gpus").get(1).path("vbios_version").asText()).isEqualTo("96.00.74.00.0A");
            assertThat(node.path("gpus").get(0).path("driver_version").asText()).isEqualTo("550.54.15");
        });
        HttpResponse<String> garbage = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + port + "/api/ingest/inventory?node=x")).POST(HttpRequest.BodyPublishers.ofString("<html>")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("not nvidia-smi -q -x output");
        for (String push : List.of("inventory", "metrics")) {
            HttpResponse<String> badNode = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/api/ingest/" + push + "?node=..%2F..%2Fetc")).POST(
                    HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(badNode.statusCode()).as(push).isEqualTo(400);
            assertThat(Json.mapper().readTree(badNode.body()).path("error").path("message").asText())
                    .startsWith("node \"../../etc\" is not a host name");
        }
    }

    @Test
    void saysOnceAMinuteThatTheServerIsAwayAndHowMuchIsSpooled() throws Exception {
        Path kernel = dir.resolve("kern.log");
        Files.writeString(kernel, "");
        StepClock clock = new StepClock(Instant.parse("2026-11-24T08:00:00Z"));
        NodeAgent.Settings settings = new NodeAgent.Settings(URI.create("http://127.0.0.1:" + freePort()), "gpu-c06",
                kernel.toString(), List.of(), dir.resolve("spool"), null, null);
        try (LogCapture log = LogCapture.of("dev.pitwall.trainops.agent"); NodeAgent agent = new NodeAgent(settings, clock)) {
            // 120 rounds 31 s apart (each past the longest back-off), an hour in all: the server never answers.
            for (int round = 0; round < 120; round++) {
                append(kernel, "kernel: line " + round);
                agent.step();
                clock.advance(Duration.ofSeconds(31));
            }
            List<String> said = log.lines().stream().filter(line -> line.contains("does not answer")).toList();
            // Said when it went, then at most once a minute (every other round here), never once per round.
            assertThat(said).hasSize(60);
            assertThat(said.getFirst()).startsWith("WARN server http://127.0.0.1:").contains("since 2026-11-24T08:00:00Z")
                    .contains("spooled in " + dir.resolve("spool")).containsPattern("\\d+(\\.\\d)? (B|KiB) of log lines");
        }
    }
}
