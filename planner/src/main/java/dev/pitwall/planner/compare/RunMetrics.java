package dev.pitwall.planner.compare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A training run's metrics by step, read from CSV (a step column and metric columns, including
 * TensorBoard's "Wall time,Step,Value" export), JSON lines, or Megatron-LM / DeepSpeed log lines
 * ("iteration 10/ 500 | lm loss: 2.3E+00 | ..."). Lines that cannot be read are reported with
 * their number, never guessed at.
 *
 * @param format   csv, tensorboard-csv, jsonl or megatron-log
 * @param metrics  metric name to step to value
 * @param problems "line N: what is wrong"
 */
public record RunMetrics(String file, String format, Map<String, TreeMap<Long, Double>> metrics, List<String> problems) {

    private static final Pattern MEGATRON_ITERATION = Pattern.compile("\\biteration\\s+(\\d+)\\s*/\\s*\\d+\\s*\\|");
    private static final Pattern MEGATRON_FIELD = Pattern.compile("\\|\\s*([A-Za-z][A-Za-z0-9 _()/-]*?)\\s*:\\s*([-+0-9.eEnaNifINF]+)\\s*(?=\\|)");
    private static final List<String> STEP_NAMES = List.of("step", "iteration", "global_step", "iter", "trainer/global_step");

    public static RunMetrics read(Path file) throws IOException {
        List<String> lines;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            lines = in.lines().toList();
        }
        String first = lines.stream().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
        if (first.startsWith("{")) {
            return jsonLines(file, lines);
        }
        if (lines.stream().anyMatch(l -> MEGATRON_ITERATION.matcher(l).find())) {
            return megatron(file, lines);
        }
        if (first.contains(",")) {
            return csv(file, lines);
        }
        throw new IllegalArgumentException(file + ": neither CSV with a step column, JSON lines, nor Megatron-LM/DeepSpeed "
                + "log lines with \"iteration N/ M | ... |\"");
    }

    /** The values of the metric called {@code name}, or of the one a loss is usually called when it is "loss". */
    public TreeMap<Long, Double> metric(String name) {
        TreeMap<Long, Double> exact = metrics.get(name);
        if (exact != null) {
            return exact;
        }
        if (name.equals("loss")) {
            for (String alias : List.of("lm loss", "lm_loss", "train/loss", "train_loss", "loss/train", "value")) {
                if (metrics.containsKey(alias)) {
                    return metrics.get(alias);
                }
            }
        }
        throw new IllegalArgumentException(file + ": no metric \"" + name + "\"; it has " + String.join(", ", metrics.keySet()));
    }

    private static RunMetrics csv(Path file, List<String> lines) {
        String[] header = lines.getFirst().split(",", -1);
        int stepColumn = -1;
        for (int i = 0; i < header.length; i++) {
            header[i] = header[i].strip().replace("\"", "");
            if (stepColumn < 0 && STEP_NAMES.contains(header[i].toLowerCase(Locale.ROOT))) {
                stepColumn = i;
            }
        }
        if (stepColumn < 0) {
            throw new IllegalArgumentException(file + ": the CSV header has no step column (one of " + STEP_NAMES + ")");
        }
        boolean tensorboard = header.length == 3 && header[0].equalsIgnoreCase("Wall time");
        Map<String, TreeMap<Long, Double>> metrics = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (cells.length != header.length) {
                problems.add("line " + (n + 1) + ": " + cells.length + " cells, the header has " + header.length);
                continue;
            }
            Long step = parseStep(cells[stepColumn].strip());
            if (step == null) {
                problems.add("line " + (n + 1) + ": step \"" + cells[stepColumn].strip() + "\" is not a whole number");
                continue;
            }
            for (int i = 0; i < cells.length; i++) {
                if (i == stepColumn || (tensorboard && i == 0) || cells[i].isBlank()) {
                    continue;
                }
                Double value = parseValue(cells[i].strip());
                if (value == null) {
                    problems.add("line " + (n + 1) + ": " + header[i] + " \"" + cells[i].strip() + "\" is not a number");
                } else {
                    metrics.computeIfAbsent(header[i].toLowerCase(Locale.ROOT), k -> new TreeMap<>()).put(step, value);
                }
            }
        }
        return new RunMetrics(file.toString(), tensorboard ? "tensorboard-csv" : "csv", metrics, problems);
    }

    private static RunMetrics jsonLines(Path file, List<String> lines) {
        Map<String, TreeMap<Long, Double>> metrics = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            JsonNode row;
            try {
                row = Json.mapper().readTree(lines.get(n));
            } catch (IOException e) {
                problems.add("line " + (n + 1) + ": not JSON");
                continue;
            }
            Long step = null;
            for (String name : STEP_NAMES) {
                if (row.path(name).canConvertToLong()) {
                    step = row.path(name).asLong();
                    break;
                }
            }
            if (step == null) {
                problems.add("line " + (n + 1) + ": no step (one of " + STEP_NAMES + ")");
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                Double value = field.getValue().isNumber() ? Double.valueOf(field.getValue().asDouble())
                        : field.getValue().isTextual() ? parseValue(field.getValue().asText()) : null;
                if (value != null && !STEP_NAMES.contains(field.getKey())) {
                    metrics.computeIfAbsent(field.getKey().toLowerCase(Locale.ROOT), k -> new TreeMap<>()).put(step, value);
                }
            }
        }
        return new RunMetrics(file.toString(), "jsonl", metrics, problems);
    }

    private static RunMetrics megatron(Path file, List<String> lines) {
        Map<String, TreeMap<Long, Double>> metrics = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            Matcher it = MEGATRON_ITERATION.matcher(lines.get(n));
            if (!it.find()) {
                continue; // everything else a training log prints
            }
            long step = Long.parseLong(it.group(1));
            // Fields share their separating bars: the look-ahead leaves each closing bar to open the next field.
            Matcher field = MEGATRON_FIELD.matcher(lines.get(n)).region(it.end() - 1, lines.get(n).length());
            int found = 0;
            while (field.find()) {
                Double value = parseValue(field.group(2));
                if (value != null) {
                    metrics.computeIfAbsent(field.group(1).strip().toLowerCase(Locale.ROOT), k -> new TreeMap<>())
                            .put(step, value);
                }
                found++;
            }
            if (found == 0) {
                problems.add("line " + (n + 1) + ": iteration " + step + " has no \"name: value |\" fields");
            }
        }
        return new RunMetrics(file.toString(), "megatron-log", metrics, problems);
    }

    private static Long parseStep(String text) {
        try {
            double d = Double.parseDouble(text);
            return d == Math.rint(d) ? Long.valueOf((long) d) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A number, including nan and inf as training logs print them. */
    private static Double parseValue(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "nan", "-nan" -> Double.NaN;
            case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(t);
                } catch (NumberFormatException e) {
                    yield null;
                }
            }
        };
    }
}
