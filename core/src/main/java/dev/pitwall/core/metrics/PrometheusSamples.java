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
                int end = labels(line, brace + 1, labels);
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

    /** Reads {@code a="x",b="y"} from {@code at}; answers the index of the closing brace, or -1. */
    private static int labels(String line, int at, Map<String, String> out) {
        int i = at;
        while (i < line.length()) {
            if (line.charAt(i) == '}') {
                return i;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                return -1;
            }
            String key = line.substring(i, eq).strip();
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < line.length() && line.charAt(j) != '"'; j++) {
                char c = line.charAt(j);
                if (c == '\\' && j + 1 < line.length()) {
                    char n = line.charAt(++j);
                    value.append(n == 'n' ? '\n' : n);
                } else {
                    value.append(c);
                }
            }
            if (j >= line.length()) {
                return -1;
            }
            out.put(key, value.toString());
            i = j + 1;
            if (i < line.length() && line.charAt(i) == ',') {
                i++;
            }
        }
        return -1;
    }
}
