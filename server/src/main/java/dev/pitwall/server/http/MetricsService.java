package dev.pitwall.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code /metrics} for Prometheus: the classic text format, or OpenMetrics when the scraper
 * asks for it in {@code Accept} (as Prometheus does by default).
 */
public final class MetricsService implements HttpService {

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public MetricsService(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::scrape);
    }

    private void scrape(ServerRequest request, ServerResponse response) throws IOException {
        String accept = request.headers().first(HeaderNames.ACCEPT).orElse("");
        String contentType = accept.contains("application/openmetrics-text")
                ? OPEN_METRICS
                : PROMETHEUS_TEXT;
        response.header(HeaderNames.CONTENT_TYPE, contentType);
        try (OutputStream out = response.outputStream()) {
            registry.scrape(out, contentType);
        }
    }
}
