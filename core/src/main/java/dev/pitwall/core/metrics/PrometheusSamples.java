package dev.pitwall.core.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the samples of a Prometheus text exposition (what engines' and exporters' /metrics
 * answer): name, labels and value per line. Comments, timestamps and malformed lines are skipped.
 */
public final class PrometheusSamples {

    private PrometheusSamples() {
    }

    public record Sample(String name, Map<String, String> labels, double value) {

        public String label(String name) {
            return labels.getOrDefault(name, "");
        }
    }

    public static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            Map<String, String> labels = new LinkedHashMap<>();
            String name;
            int valueStart;
            if (brace >= 0 && (space < 0 || brace < space)) {
                name = line.substring(0, brace);
                int end = LabelSets.read(line, brace + 1, labels);
                if (end < 0) {
                    continue;
                }
                valueStart = end + 1;
            } else if (space > 0) {
                name = line.substring(0, space);
                valueStart = space + 1;
            } else {
                continue;
            }
            String[] rest = line.substring(Math.min(valueStart, line.length())).strip().split("\\s+");
            try {
                samples.add(new Sample(name, labels, Double.parseDouble(rest[0])));
            } catch (NumberFormatException e) {
                // not a sample line
            }
        }
        return samples;
    }
}
