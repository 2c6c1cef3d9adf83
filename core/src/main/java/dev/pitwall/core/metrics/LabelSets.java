package dev.pitwall.core.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Label sets as Prometheus' text exposition and Loki's stream selectors write them:
 * {@code {host="gpu-a01", job="kernel"}}. Values are quoted, with {@code \\}, {@code \"} and
 * {@code \n} escaped (the exposition format's rule; any other escaped character stands for
 * itself); blanks around names, equals signs and commas are allowed.
 */
public final class LabelSets {

    private LabelSets() {
    }

    /** A whole label set, braces included; empty when it is not one. */
    public static Optional<Map<String, String>> parse(String text) {
        String s = text.strip();
        if (!s.startsWith("{")) {
            return Optional.empty();
        }
        Map<String, String> labels = new LinkedHashMap<>();
        int end = read(s, 1, labels);
        return end == s.length() - 1 ? Optional.of(labels) : Optional.empty();
    }

    /**
     * Reads the labels that start at {@code at} (just past the opening brace) into {@code out};
     * answers the index of the closing brace, or -1 when the text is not a label set.
     */
    public static int read(String text, int at, Map<String, String> out) {
        int i = skip(text, at, true);
        while (i < text.length()) {
            if (text.charAt(i) == '}') {
                return i;
            }
            int eq = text.indexOf('=', i);
            int quote = eq < 0 ? -1 : skip(text, eq + 1, false);
            if (quote < 0 || quote >= text.length() || text.charAt(quote) != '"') {
                return -1;
            }
            String name = text.substring(i, eq).strip();
            StringBuilder value = new StringBuilder();
            int j = quote + 1;
            for (; j < text.length() && text.charAt(j) != '"'; j++) {
                char c = text.charAt(j);
                if (c == '\\' && j + 1 < text.length()) {
                    char escaped = text.charAt(++j);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    value.append(c);
                }
            }
            if (j >= text.length() || name.isEmpty()) {
                return -1;
            }
            out.put(name, value.toString());
            i = skip(text, j + 1, true);
        }
        return -1;
    }

    /** The index of the first character from {@code at} that is not a blank (nor, with {@code commas}, a comma). */
    private static int skip(String text, int at, boolean commas) {
        int i = at;
        while (i < text.length() && (Character.isWhitespace(text.charAt(i)) || commas && text.charAt(i) == ',')) {
            i++;
        }
        return i;
    }
}
