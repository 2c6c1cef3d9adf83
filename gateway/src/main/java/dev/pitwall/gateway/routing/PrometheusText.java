package dev.pitwall.gateway.routing;

import dev.pitwall.core.metrics.PrometheusSamples;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the samples of a Prometheus text exposition, summed per metric name across label sets
 * (an engine serving two models reports one series each; routing wants the engine's total).
 */
final class PrometheusText {

    private PrometheusText() {
    }

    static Map<String, Double> sums(String text) {
        Map<String, Double> sums = new HashMap<>();
        for (PrometheusSamples.Sample sample : PrometheusSamples.parse(text)) {
            sums.merge(sample.name(), sample.value(), Double::sum);
        }
        return sums;
    }
}
