package dev.pitwall.acceptance.verdict;

import dev.pitwall.acceptance.parse.Measurement;
import dev.pitwall.acceptance.parse.ToolOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GPU whose clocks a thermal or hardware slowdown holds back (nvidia-smi's clock event
 * reasons) runs every benchmark below what it can do, and does the same under a job: a
 * warning on the node, with the reasons that are active, so cooling or power is looked at
 * before the node takes work.
 */
final class GpuClockSlowdown {

    private GpuClockSlowdown() {
    }

    static List<Finding> check(String node, List<ToolOutput> outputs) {
        Map<String, List<String>> activeByGpu = new LinkedHashMap<>();
        for (ToolOutput output : outputs) {
            if (!output.tool().equals("nvidia-smi")) {
                continue;
            }
            for (Measurement m : output.measurements()) {
                if (m.name().equals("clock_slowdown") && m.value() > 0) {
                    activeByGpu.computeIfAbsent(String.valueOf(m.label("bus_id")), gpu -> new ArrayList<>())
                            .add(String.valueOf(m.label("reason")));
                }
            }
        }
        List<Finding> findings = new ArrayList<>();
        activeByGpu.forEach((gpu, reasons) -> findings.add(new Finding(node, "gpu.clock_slowdown", Verdict.WARN,
                String.join(", ", reasons), "none active", "GPU " + gpu + " has its clocks held back (" + String.join(", ", reasons)
                + " active): check its cooling and power (inlet temperature, fans, power supply) before the node takes jobs")));
        return findings;
    }
}
