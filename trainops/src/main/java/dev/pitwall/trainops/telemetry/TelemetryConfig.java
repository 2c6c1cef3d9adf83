package dev.pitwall.trainops.telemetry;

import dev.pitwall.core.config.ConfigProblem;
import java.time.Duration;
import java.util.List;

/**
 * GPU metrics Pitwall scrapes itself.
 *
 * @param targets  dcgm-exporter (or any Prometheus) endpoints, e.g. http://gpu-a01:9400/metrics
 * @param interval how often each is scraped
 */
public record TelemetryConfig(List<String> targets, Duration interval) {

    public TelemetryConfig {
        targets = targets == null ? List.of() : List.copyOf(targets);
        interval = interval == null ? Duration.ofSeconds(15) : interval;
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigProblem("interval", interval.toString(), "a duration of at least 1s");
        }
        for (String target : targets) {
            if (!target.startsWith("http://") && !target.startsWith("https://")) {
                throw new ConfigProblem("targets", "\"" + target + "\"", "http:// or https:// URLs of /metrics endpoints");
            }
        }
    }

    public static TelemetryConfig defaults() {
        return new TelemetryConfig(List.of(), Duration.ofSeconds(15));
    }
}
