package dev.pitwall.trainops.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageTarget;
import dev.pitwall.core.testing.StepClock;
import dev.pitwall.trainops.TrainOps;
import dev.pitwall.trainops.detect.RuleCatalog;
import dev.pitwall.trainops.signal.StoredSignal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dcgm-exporter's exposition served on loopback; conditions start once, utilization is recorded per round. */
class GpuTelemetryTest {

    @TempDir
    Path dir;

    /** Two H100s of node gpu-a01 as dcgm-exporter 3.3 writes them; GPU 1 belongs to a pod. */
    private static String exposition(double util0, long reasons0, double util1, double sm1) {
        StringBuilder out = new StringBuilder();
        String[] names = {"DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_CLOCKS_EVENT_REASONS", "DCGM_FI_PROF_SM_ACTIVE"};
        String[] help = {"GPU utilization (in %).", "Current clock event reasons (bitmask of DCGM_CLOCKS_EVENT_REASON_*)",
                "The ratio of cycles an SM has at least 1 warp assigned (in %)."};
        double[][] values = {{util0, util1}, {reasons0, 0}, {0.02, sm1}};
        for (int m = 0; m < names.length; m++) {
            out.append("# HELP ").append(names[m]).append(' ').append(help[m]).append('\n');
            out.append("# TYPE ").append(names[m]).append(" gauge\n");
            for (int gpu = 0; gpu < 2; gpu++) {
                String pod = gpu == 1 ? "train-llama-0" : "";
                out.append(String.format(Locale.ROOT, "%s{gpu=\"%d\",UUID=\"GPU-5fd4a6f8-0d0e-2b3c-9b1a-7a1d2e3f4a5%d\","
                                + "pci_bus_id=\"00000000:%d8:00.0\",device=\"nvidia%d\",modelName=\"NVIDIA H100 80GB HBM3\","
                                + "Hostname=\"gpu-a01\",DCGM_FI_DRIVER_VERSION=\"550.54.15\",container=\"%s\",namespace=\"%s\","
                                + "pod=\"%s\"} %s%n", names[m], gpu, gpu, gpu + 1, gpu, pod.isEmpty() ? "" : "pytorch",
                        pod.isEmpty() ? "" : "team-a", pod, m == 1 ? Long.toString((long) values[m][gpu])
                                : String.format(Locale.ROOT, "%.6f", values[m][gpu])));
            }
        }
        return out.toString();
    }

    @Test
    void raisesConditionsOnceAndRecordsUtilization() throws Exception {
        AtomicReference<String> body = new AtomicReference<>(exposition(97, 0, 96, 0.81));
        HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        exporter.createContext("/metrics", exchange -> {
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        exporter.start();
        StepClock clock = new StepClock(Instant.parse("2026-11-24T08:00:00Z"));
        try (StorageTarget target = StorageTarget.create("sqlite", dir);
             Database database = Database.open(target.config(), target.dataDir(), new SimpleMeterRegistry())) {
            database.migrate(TrainOps.MODULE);
            String url = "http://127.0.0.1:" + exporter.getAddress().getPort() + "/metrics";
            UtilizationStore utilization = new UtilizationStore(database);
            GpuTelemetry telemetry = new GpuTelemetry(new TelemetryConfig(List.of(url, "http://127.0.0.1:1/metrics"),
                    Duration.ofSeconds(15)), RuleCatalog.builtIn(), utilization, clock);
            Instant from = clock.instant();

            assertThat(telemetry.scrape()).as("all well; the dead target is skipped").isEmpty();

            // GPU 0 gets hot (HW thermal slowdown), GPU 1's job stops computing.
            body.set(exposition(97, GpuConditions.HW_THERMAL | 0x4, 0, 0.0));
            clock.advance(Duration.ofSeconds(15));
            List<StoredSignal> hot = telemetry.scrape();
            assertThat(hot).singleElement().satisfies(s -> {
                assertThat(s.node()).isEqualTo("gpu-a01");
                assertThat(s.signal().rule()).isEqualTo("gpu-thermal-slowdown");
                assertThat(s.signal().fields()).containsEntry("gpu", "0").containsEntry("reasons", "0x84");
            });
            clock.advance(Duration.ofMinutes(5));
            assertThat(telemetry.scrape()).as("still hot: not raised again; idle for 5 min only").isEmpty();
            clock.advance(Duration.ofMinutes(6));
            List<StoredSignal> idle = telemetry.scrape();
            assertThat(idle).singleElement().satisfies(s -> {
                assertThat(s.signal().rule()).isEqualTo("gpu-idle-allocated");
                assertThat(s.signal().fields()).containsEntry("gpu", "1").containsEntry("pod", "train-llama-0");
                assertThat(s.signal().meaning()).contains("idle for 11 min");
            });

            // Four rounds of 2 GPUs with 1 allocated: physical 50%; its SM activity 81%, 0%, 0%, 0%.
            var used = utilization.between(from, clock.instant().plusSeconds(1)).orElseThrow();
            assertThat(used.rounds()).isEqualTo(4);
            assertThat(used.physicalPct()).isCloseTo(50.0, within(1e-9));
            assertThat(used.logicalPct()).isCloseTo(81.0 / 4, within(1e-6));
            assertThat(utilization.between(from.minusSeconds(60), from)).isEmpty();
        } finally {
            exporter.stop(0);
        }
    }

    @Test
    void readsOlderExportersThrottleReasonsAndNamesNodesByTarget() {
        String old = "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{gpu=\"3\",UUID=\"GPU-1\",device=\"nvidia3\",modelName=\"NVIDIA A100-SXM4-80GB\"} 256\n"
                + "DCGM_FI_DEV_GPU_UTIL{gpu=\"3\",UUID=\"GPU-1\",device=\"nvidia3\",modelName=\"NVIDIA A100-SXM4-80GB\"} 100\n";
        assertThat(DcgmScrape.gpus(old, "gpu-b02", true)).singleElement().satisfies(g -> {
            assertThat(g.node()).isEqualTo("gpu-b02");
            assertThat(g.reasons()).isEqualTo(GpuConditions.HW_POWER_BRAKE);
            assertThat(g.allocated()).isFalse();
        });
    }
}
