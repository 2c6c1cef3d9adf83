package dev.pitwall.gateway.routing;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads the samples of a Prometheus text exposition, summed per metric name across label sets
 * (an engine serving two models reports one series each; routing wants the engine's total).
 * Comments, timestamps and malformed lines are skipped.
 */
final class PrometheusText {

    private PrometheusText() {
    }

    static Map<String, Double> sums(String text) {
        Map<String, Double> sums = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int labels = line.indexOf('{');
            int nameEnd = labels >= 0 ? labels : line.indexOf(' ');
            int valueStart = labels >= 0 ? line.indexOf("} ", labels) + 2 : nameEnd + 1;
            if (nameEnd <= 0 || valueStart <= 1 || valueStart > line.length()) {
                continue;
            }
            String[] rest = line.substring(valueStart).strip().split("\\s+");
            try {
                sums.merge(line.substring(0, nameEnd), Double.parseDouble(rest[0]), Double::sum);
            } catch (NumberFormatException e) {
                // not a sample line
            }
        }
        return sums;
    }
}
