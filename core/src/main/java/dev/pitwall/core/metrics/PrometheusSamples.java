package dev.pitwall.core.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the samples of a Prometheus text exposition (what engines' and exporters' /metrics
 * answer): name, labels, value and timestamp (when the line has one) per line. {@link #parse}
 * skips comments and malformed lines; {@link #read} also keeps the declared types and says which
 * lines it could not read.
 */
public final class PrometheusSamples {

    private PrometheusSamples() {
    }

    /** @param timestampMillis the sample's own timestamp, or null when the line has none */
    public record Sample(String name, Map<String, String> labels, double value, Long timestampMillis) {

        public Sample(String name, Map<String, String> labels, double value) {
            this(name, labels, value, null);
        }

        public String label(String name) {
            return labels.getOrDefault(name, "");
        }
    }

    /**
     * An exposition as read: its samples, the type each metric family declares ({@code # TYPE}),
     * and the lines that were not samples, with their 1-based numbers.
     */
    public record Exposition(List<Sample> samples, Map<String, String> types, Map<Integer, String> unread) {
    }

    public static List<Sample> parse(String text) {
        return read(text).samples();
    }

    public static Exposition read(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        Map<Integer, String> unread = new LinkedHashMap<>();
        String[] lines = text.split("\n");
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].endsWith("\r") ? lines[n].substring(0, lines[n].length() - 1) : lines[n];
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).strip().split("\\s+");
                if (parts.length == 2) {
                    types.put(parts[0], parts[1]);
                }
                continue;
            }
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
                    unread.put(n + 1, "its labels do not close");
                    continue;
                }
                valueStart = end + 1;
            } else if (space > 0) {
                name = line.substring(0, space);
                valueStart = space + 1;
            } else {
                unread.put(n + 1, "no value");
                continue;
            }
            String[] rest = line.substring(Math.min(valueStart, line.length())).strip().split("\\s+");
            try {
                // Milliseconds, as the text format writes them; anything else after the value
                // (an OpenMetrics exemplar) is not a timestamp.
                Long timestamp = rest.length > 1 && rest[1].matches("-?\\d+") ? Long.valueOf(rest[1]) : null;
                samples.add(new Sample(name, labels, Double.parseDouble(rest[0]), timestamp));
            } catch (NumberFormatException e) {
                unread.put(n + 1, "the value is not a number");
            }
        }
        return new Exposition(samples, types, unread);
    }
}
