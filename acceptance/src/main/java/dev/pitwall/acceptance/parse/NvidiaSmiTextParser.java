package dev.pitwall.acceptance.parse;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code nvidia-smi -q} text (the "NVSMI LOG" report, whole or with {@code -d} sections):
 * "Key : Value" lines nested by four-space indentation under "GPU &lt;bus id&gt;" headers. The
 * report becomes the tree nvidia-smi's XML would give, so both formats yield the same
 * measurements ({@link NvidiaSmiXmlParser}).
 */
public final class NvidiaSmiTextParser implements ToolParser {

    private static final Pattern GPU = Pattern.compile("^GPU ([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.[0-9A-Fa-f])\\s*$");
    private static final Pattern ENTRY = Pattern.compile("^( *)([^:]+?)\\s*(?::\\s*(.*))?$");
    /** Text keys whose XML element is named otherwise, by the section they are in ("" at the GPU's top). */
    private static final Map<String, String> RENAMED = Map.of(
            "/serial_number", "serial", "/gpu_uuid", "uuid", "temperature/gpu_current_temp", "gpu_temp",
            "mig_mode/current", "current_mig", "ecc_mode/current", "current_ecc");

    @Override
    public String tool() {
        return NvidiaSmiXmlParser.TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return head.contains("==============NVSMI LOG==============");
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Problem> problems = new ArrayList<>();
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode gpus = root.putArray("gpu");
        // The open sections of the current GPU, innermost last, with the indentation of their keys.
        Deque<ObjectNode> sections = new ArrayDeque<>();
        Deque<String> names = new ArrayDeque<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).replace("\t", "    ");
            if (line.isBlank() || line.startsWith("=")) {
                continue;
            }
            Matcher gpu = GPU.matcher(line.strip());
            if (!line.startsWith(" ") && gpu.matches()) {
                ObjectNode node = gpus.addObject();
                node.put("id", gpu.group(1));
                sections.clear();
                names.clear();
                sections.push(node);
                names.push("");
                continue;
            }
            Matcher entry = ENTRY.matcher(line);
            if (!entry.matches()) {
                problems.add(new Problem(n + 1, line, "neither \"Key : Value\" nor a section heading"));
                continue;
            }
            int depth = entry.group(1).length() / 4;
            String key = entry.group(2).strip().toLowerCase(Locale.ROOT).replace(' ', '_');
            String value = entry.group(3);
            if (depth == 0) {
                // Before the first GPU: the report's header.
                if (value != null) {
                    root.put(key, value.strip());
                }
                continue;
            }
            if (sections.isEmpty()) {
                problems.add(new Problem(n + 1, line, "indented line before any \"GPU <bus id>\" header"));
                continue;
            }
            while (sections.size() > depth) {
                sections.pop();
                names.pop();
            }
            ObjectNode parent = sections.peek();
            String section = names.peek();
            String name = RENAMED.getOrDefault(section + "/" + key, key);
            if (value == null || value.isEmpty() && lineOpensSection(lines, n, depth)) {
                ObjectNode child = parent.putObject(name);
                sections.push(child);
                names.push(key);
            } else {
                parent.put(name, value.strip());
            }
        }
        shapeLikeXml(gpus);
        if (gpus.isEmpty()) {
            problems.add(new Problem(0, "", "no \"GPU <bus id>\" section: nvidia-smi saw no GPU, or the output is cut short"));
        }
        List<Measurement> measurements = NvidiaSmiXmlParser.measurements(root, new ArrayList<>());
        return new ToolOutput(file, NvidiaSmiXmlParser.TOOL, null, measurements, List.of(), problems);
    }

    private static boolean lineOpensSection(List<String> lines, int n, int depth) {
        for (int next = n + 1; next < lines.size(); next++) {
            if (!lines.get(next).isBlank()) {
                String l = lines.get(next);
                return l.length() - l.stripLeading().length() > depth * 4;
            }
        }
        return false;
    }

    /** Retired pages and ECC counters are laid out apart in the two formats: move them where the XML has them. */
    private static void shapeLikeXml(ArrayNode gpus) {
        for (var node : gpus) {
            ObjectNode gpu = (ObjectNode) node;
            if (gpu.get("retired_pages") instanceof ObjectNode retired) {
                retired.putObject("multiple_single_bit_retirement").put("retired_count", retired.path("single_bit_ecc").asText());
                retired.putObject("double_bit_retirement").put("retired_count", retired.path("double_bit_ecc").asText());
                retired.put("pending_blacklist", retired.path("pending_page_blacklist").asText());
            }
            if (gpu.path("ecc_errors").get("aggregate") instanceof ObjectNode aggregate && !aggregate.has("sram_uncorrectable")) {
                // Drivers from 535 split SRAM uncorrectable errors by kind.
                double sram = 0;
                boolean any = false;
                for (String kind : List.of("sram_uncorrectable_parity", "sram_uncorrectable_sec-ded")) {
                    String text = aggregate.path(kind).asText("");
                    if (text.matches("[0-9]+")) {
                        sram += Double.parseDouble(text);
                        any = true;
                    }
                }
                if (any) {
                    aggregate.put("sram_uncorrectable", Long.toString((long) sram));
                }
            }
        }
    }
}
