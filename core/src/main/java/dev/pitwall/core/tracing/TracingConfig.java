package dev.pitwall.core.tracing;

import dev.pitwall.core.config.ConfigProblem;

/**
 * Where traces go.
 *
 * @param otlpEndpoint an OTLP/HTTP collector's base URL ({@code http://collector:4318}); empty turns tracing off
 * @param serviceName  the {@code service.name} of Pitwall's spans
 * @param sampleRatio  the share of requests traced, from 0 to 1
 */
public record TracingConfig(String otlpEndpoint, String serviceName, double sampleRatio) {

    public TracingConfig {
        otlpEndpoint = otlpEndpoint == null ? "" : otlpEndpoint.strip();
        if (!otlpEndpoint.isEmpty() && !otlpEndpoint.startsWith("http://") && !otlpEndpoint.startsWith("https://")) {
            throw new ConfigProblem("otlp-endpoint", "\"" + otlpEndpoint + "\"",
                    "empty (tracing off) or an OTLP/HTTP base URL such as http://127.0.0.1:4318");
        }
        if (serviceName == null || serviceName.isBlank()) {
            throw new ConfigProblem("service-name", "nothing", "a service name such as pitwall");
        }
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
            throw new ConfigProblem("sample-ratio", sampleRatio, "a share from 0 to 1");
        }
    }

    public static TracingConfig defaults() {
        return new TracingConfig("", "pitwall", 1.0);
    }
}
