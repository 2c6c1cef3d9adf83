package dev.pitwall.acceptance.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.xml.XmlFactory;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.stream.XMLInputFactory;

/**
 * Reads {@code nvidia-smi -q -x}: per GPU one {@code gpu} measurement whose labels are the
 * inventory that node-consistency checks compare (driver, CUDA, model, VBIOS, memory, ECC,
 * persistence and MIG modes, serial, UUID, bus id), plus {@code temperature} (C),
 * {@code power_draw} (W), {@code retired_pages} (single- and double-bit),
 * {@code retired_pages_pending} (1 when retired pages wait for a GPU reset) and
 * {@code ecc_uncorrectable_aggregate}.
 */
public final class NvidiaSmiXmlParser implements ToolParser {

    public static final String TOOL = "nvidia-smi";

    /** Clock event reasons that mean a fault: their names in the XML (after the prefix) and the text report. */
    private static final Map<String, String> SLOWDOWNS = new TreeMap<>(Map.of(
            "hw_slowdown", "HW Slowdown", "hw_thermal_slowdown", "HW Thermal Slowdown",
            "hw_power_brake_slowdown", "HW Power Brake Slowdown", "sw_thermal_slowdown", "SW Thermal Slowdown"));

    /** The DTD nvidia-smi names is not shipped with its output: never fetch or read it. */
    private static final XmlMapper XML = new XmlMapper(XmlFactory.builder().xmlInputFactory(noDtd()).build());

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public boolean recognizes(String head) {
        return head.contains("<nvidia_smi_log>");
    }

    @Override
    public ToolOutput parse(String file, List<String> lines) {
        List<Measurement> measurements = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        var tree = StructuredOutput.read(XML, String.join("\n", lines), 1, "nvidia-smi's XML", problems);
        if (tree.isEmpty()) {
            return new ToolOutput(file, TOOL, null, measurements, List.of(), problems);
        }
        measurements.addAll(measurements(tree.get(), problems));
        return new ToolOutput(file, TOOL, null, measurements, List.of(), problems);
    }

    /**
     * The measurements of nvidia-smi's report as a tree shaped like its XML (root: driver_version,
     * cuda_version, gpu[]), whichever format it was read from.
     */
    static List<Measurement> measurements(JsonNode root, List<Problem> problems) {
        List<Measurement> measurements = new ArrayList<>();
        JsonNode gpus = root.path("gpu");
        List<JsonNode> list = new ArrayList<>();
        if (gpus.isArray()) {
            gpus.forEach(list::add);
        } else if (gpus.isObject()) {
            list.add(gpus);
        }
        if (list.isEmpty()) {
            problems.add(new Problem(0, "", "no <gpu> element: nvidia-smi saw no GPU, or the output is cut short"));
        }
        for (int index = 0; index < list.size(); index++) {
            JsonNode gpu = list.get(index);
            Map<String, Object> inventory = new LinkedHashMap<>();
            inventory.put("gpu", index);
            inventory.put("bus_id", gpu.path("id").asText());
            inventory.put("product_name", gpu.path("product_name").asText());
            inventory.put("architecture", gpu.path("product_architecture").asText(""));
            inventory.put("driver_version", root.path("driver_version").asText());
            inventory.put("cuda_version", root.path("cuda_version").asText());
            inventory.put("vbios_version", gpu.path("vbios_version").asText());
            inventory.put("serial", gpu.path("serial").asText());
            inventory.put("uuid", gpu.path("uuid").asText());
            inventory.put("memory_total", gpu.path("fb_memory_usage").path("total").asText());
            inventory.put("ecc_mode", gpu.path("ecc_mode").path("current_ecc").asText());
            inventory.put("persistence_mode", gpu.path("persistence_mode").asText());
            inventory.put("mig_mode", gpu.path("mig_mode").path("current_mig").asText());
            measurements.add(new Measurement("gpu", 1, "gpu", inventory));

            Map<String, Object> labels = Map.of("gpu", index, "bus_id", gpu.path("id").asText());
            number(gpu.path("temperature").path("gpu_temp").asText()).ifPresent(v ->
                    measurements.add(new Measurement("temperature", v, "C", labels)));
            JsonNode power = gpu.has("gpu_power_readings") ? gpu.path("gpu_power_readings") : gpu.path("power_readings");
            number(power.path("power_draw").asText()).ifPresent(v ->
                    measurements.add(new Measurement("power_draw", v, "W", labels)));
            JsonNode retired = gpu.path("retired_pages");
            for (String kind : new String[] {"multiple_single_bit_retirement", "double_bit_retirement"}) {
                number(retired.path(kind).path("retired_count").asText()).ifPresent(v -> {
                    Map<String, Object> withKind = new LinkedHashMap<>(labels);
                    withKind.put("kind", kind.startsWith("double") ? "double_bit" : "single_bit");
                    measurements.add(new Measurement("retired_pages", v, "pages", withKind));
                });
            }
            String pending = retired.path("pending_blacklist").asText("");
            if (pending.equalsIgnoreCase("Yes") || pending.equalsIgnoreCase("No")) {
                measurements.add(new Measurement("retired_pages_pending", pending.equalsIgnoreCase("Yes") ? 1 : 0, "flag",
                        labels));
            }
            JsonNode aggregate = gpu.path("ecc_errors").path("aggregate");
            double uncorrectable = 0;
            boolean counted = false;
            for (String field : new String[] {"sram_uncorrectable", "dram_uncorrectable"}) {
                var value = number(aggregate.path(field).asText());
                if (value.isPresent()) {
                    uncorrectable += value.get();
                    counted = true;
                }
            }
            var doubleBit = number(aggregate.path("double_bit").path("total").asText());
            if (doubleBit.isPresent()) {
                uncorrectable += doubleBit.get();
                counted = true;
            }
            if (counted) {
                measurements.add(new Measurement("ecc_uncorrectable_aggregate", uncorrectable, "errors", labels));
            }
            clockSlowdowns(gpu, labels, measurements);
        }
        return measurements;
    }

    /**
     * The clock event reasons that hold a GPU's clocks back for a fault (drivers before 535 call
     * them throttle reasons), one {@code clock_slowdown} measurement each, 1 when active. The
     * power cap, idle and application-clock reasons are the GPU working as set, not a fault.
     */
    private static void clockSlowdowns(JsonNode gpu, Map<String, Object> labels, List<Measurement> measurements) {
        JsonNode reasons = gpu.has("clocks_event_reasons") ? gpu.path("clocks_event_reasons") : gpu.path("clocks_throttle_reasons");
        for (Map.Entry<String, String> slowdown : SLOWDOWNS.entrySet()) {
            for (String name : new String[] {slowdown.getKey(), "clocks_event_reason_" + slowdown.getKey(),
                    "clocks_throttle_reason_" + slowdown.getKey()}) {
                String state = reasons.path(name).asText("").strip();
                if (state.equalsIgnoreCase("Active") || state.equalsIgnoreCase("Not Active")) {
                    Map<String, Object> withReason = new LinkedHashMap<>(labels);
                    withReason.put("reason", slowdown.getValue());
                    measurements.add(new Measurement("clock_slowdown", state.equalsIgnoreCase("Active") ? 1 : 0, "flag",
                            withReason));
                }
            }
        }
    }

    /** "36 C", "66.92 W", "0" → the number; "N/A" and empty → none. */
    private static java.util.Optional<Double> number(String text) {
        String first = text.strip().split("\\s+")[0];
        try {
            return first.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(Double.parseDouble(first));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    private static XMLInputFactory noDtd() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return factory;
    }
}
