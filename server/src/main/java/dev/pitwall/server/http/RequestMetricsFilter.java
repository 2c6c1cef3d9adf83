package dev.pitwall.server.http;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Times every request into {@code http_server_requests_seconds}, tagged by method, the route
 * pattern that matched (never the raw path, which would make one series per URL), status and
 * outcome. Requests no route matched share the route tag {@code UNMATCHED}.
 */
public final class RequestMetricsFilter implements Filter {

    /** Histogram buckets from 5 ms to 10 s: enough resolution for API and page latencies. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
    };

    private final MeterRegistry registry;

    public RequestMetricsFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        long start = System.nanoTime();
        try {
            chain.proceed();
        } finally {
            int status = response.status().code();
            Timer.builder("http.server.requests")
                    .description("HTTP requests served, by route and status")
                    .tag("method", request.prologue().method().text())
                    .tag("route", route(request.matchingPattern().orElse("")))
                    .tag("status", String.valueOf(status))
                    .tag("outcome", outcome(status))
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry)
                    .record(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Helidon joins a service's mount path and its rule ("/" + "/training"); show it as written. */
    static String route(String pattern) {
        String route = pattern.replaceAll("/{2,}", "/");
        if (route.length() > 1 && route.endsWith("/")) {
            route = route.substring(0, route.length() - 1);
        }
        return route.isEmpty() ? "UNMATCHED" : route;
    }

    private static String outcome(int status) {
        if (status >= 500) {
            return "SERVER_ERROR";
        } else if (status >= 400) {
            return "CLIENT_ERROR";
        } else if (status >= 300) {
            return "REDIRECTION";
        }
        return "SUCCESS";
    }
}
