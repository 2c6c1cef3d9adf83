package dev.pitwall.trainops.telemetry;

import dev.pitwall.core.metrics.PrometheusSamples;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads GPUs from dcgm-exporter: scrapes its endpoints, and reads an exposition into one reading per GPU. */
final class DcgmScrape {

    private static final Logger LOG = LoggerFactory.getLogger(DcgmScrape.class);

    private final List<URI> targets;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    DcgmScrape(List<URI> targets) {
        this.targets = targets;
    }

    /** Every target once; one that does not answer is skipped with a warning, the others still count. */
    List<GpuReading> scrape() throws InterruptedException {
        List<GpuReading> gpus = new ArrayList<>();
        for (URI target : targets) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    LOG.warn("telemetry target {} answered {}", target, response.statusCode());
                    continue;
                }
                gpus.addAll(gpus(response.body(), target.getHost(), true));
            } catch (IOException e) {
                LOG.warn("telemetry target {} unreachable: {}", target, e.toString());
            }
        }
        return gpus;
    }

    /**
     * The GPUs of one exposition, by node and gpu index; the node is dcgm-exporter's Hostname label when
     * {@code preferLabel} and the exposition has one, else {@code host}.
     */
    static List<GpuReading> gpus(String text, String host, boolean preferLabel) {
        Map<String, Map<String, PrometheusSamples.Sample>> byGpu = new LinkedHashMap<>();
        for (PrometheusSamples.Sample s : PrometheusSamples.parse(text)) {
            if (!s.name().startsWith("DCGM_FI_") || s.label("gpu").isEmpty()) {
                continue;
            }
            String node = preferLabel && !s.label("Hostname").isEmpty() ? s.label("Hostname") : host;
            byGpu.computeIfAbsent(node + "/" + s.label("gpu"), k -> new HashMap<>()).put(s.name(), s);
        }
        List<GpuReading> out = new ArrayList<>();
        byGpu.forEach((key, metrics) -> {
            PrometheusSamples.Sample any = metrics.values().iterator().next();
            String node = key.substring(0, key.lastIndexOf('/'));
            double util = value(metrics, "DCGM_FI_DEV_GPU_UTIL", 0);
            OptionalDouble sm = metrics.containsKey("DCGM_FI_PROF_SM_ACTIVE")
                    ? OptionalDouble.of(metrics.get("DCGM_FI_PROF_SM_ACTIVE").value()) : OptionalDouble.empty();
            // dcgm-exporter 3.3+ names it CLOCKS_EVENT_REASONS; older ones CLOCK_THROTTLE_REASONS.
            long reasons = (long) value(metrics, "DCGM_FI_DEV_CLOCKS_EVENT_REASONS",
                    value(metrics, "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", 0));
            OptionalDouble fb = metrics.containsKey("DCGM_FI_DEV_FB_USED")
                    ? OptionalDouble.of(metrics.get("DCGM_FI_DEV_FB_USED").value()) : OptionalDouble.empty();
            out.add(new GpuReading(node, any.label("gpu"), any.label("modelName"), util, sm, reasons, any.label("pod"),
                    fb));
        });
        return out;
    }

    private static double value(Map<String, PrometheusSamples.Sample> metrics, String name, double otherwise) {
        PrometheusSamples.Sample s = metrics.get(name);
        return s == null ? otherwise : s.value();
    }
}
