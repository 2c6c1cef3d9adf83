package dev.pitwall.trainops.telemetry;

import dev.pitwall.trainops.detect.RuleCatalog;
import dev.pitwall.trainops.signal.StoredSignal;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * GPU telemetry from dcgm-exporter: scraped from its endpoints, or pushed by node agents from
 * theirs. Each round's GPUs go to the {@link GpuConditions} watch, which raises a signal when a
 * condition starts, and to the {@link UtilizationStore}, for the reliability report's figures.
 */
public final class GpuTelemetry {

    private final DcgmScrape scrape;
    private final GpuConditions conditions;
    private final UtilizationStore utilization;
    private final Clock clock;

    public GpuTelemetry(TelemetryConfig config, RuleCatalog catalog, UtilizationStore utilization, Clock clock) {
        this.scrape = new DcgmScrape(config.targets().stream().map(URI::create).toList());
        this.conditions = new GpuConditions(catalog);
        this.utilization = utilization;
        this.clock = clock;
    }

    /** Scrapes every target once; answers the signals of conditions that started. */
    public synchronized List<StoredSignal> scrape() {
        try {
            return observe(scrape.scrape());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** An exposition a node agent pushed from its local dcgm-exporter; answers the signals of conditions that started. */
    public synchronized List<StoredSignal> accept(String exposition, String node) {
        // The agent knows its node; the exporter's Hostname may be its pod's name.
        return observe(DcgmScrape.gpus(exposition, node, false));
    }

    private List<StoredSignal> observe(List<GpuReading> gpus) {
        Instant now = clock.instant();
        utilization.record(now, gpus);
        return conditions.observe(gpus, now);
    }
}
