package dev.pitwall.acceptance.verdict;

import dev.pitwall.acceptance.parse.Measurement;
import dev.pitwall.acceptance.parse.ToolOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * GPU memory health from nvidia-smi's report, per GPU: retired pages at the replacement
 * threshold, pages waiting for a reset to be retired, and uncorrectable ECC errors in the GPU's
 * lifetime counters.
 */
final class GpuMemoryHealth {

    /**
     * Retired pages (single- and double-bit together) at which a GPU is due for replacement, the
     * threshold Azure's GPU node health checks apply to retired pages (azurehpc-health-checks).
     */
    static final int REPLACE_AT_RETIRED_PAGES = 60;

    private GpuMemoryHealth() {
    }

    static List<Finding> check(String node, List<ToolOutput> outputs) {
        Map<String, Double> retired = new LinkedHashMap<>();
        List<Finding> findings = new ArrayList<>();
        for (ToolOutput output : outputs) {
            if (!output.tool().equals("nvidia-smi")) {
                continue;
            }
            for (Measurement m : output.measurements()) {
                String gpu = String.valueOf(m.label("bus_id"));
                switch (m.name()) {
                    case "retired_pages" -> retired.merge(gpu, m.value(), Double::sum);
                    case "retired_pages_pending" -> {
                        if (m.value() > 0) {
                            findings.add(new Finding(node, "gpu.retired_pages_pending", Verdict.WARN, "yes", "no",
                                    "GPU " + gpu + " has retired pages waiting for a GPU reset: reset it (or reboot) "
                                            + "before the node takes jobs"));
                        }
                    }
                    case "ecc_uncorrectable_aggregate" -> {
                        if (m.value() > 0) {
                            findings.add(new Finding(node, "gpu.ecc_uncorrectable", Verdict.WARN,
                                    String.format(Locale.ROOT, "%.0f", m.value()), "0", "GPU " + gpu + " has had "
                                    + String.format(Locale.ROOT, "%.0f", m.value()) + " uncorrectable ECC errors in its "
                                    + "lifetime: watch it, and its retired pages or remapped rows"));
                        }
                    }
                    default -> {
                    }
                }
            }
        }
        retired.forEach((gpu, pages) -> {
            if (pages >= REPLACE_AT_RETIRED_PAGES) {
                findings.add(new Finding(node, "gpu.retired_pages", Verdict.FAIL, String.format(Locale.ROOT, "%.0f", pages),
                        "< " + REPLACE_AT_RETIRED_PAGES, "GPU " + gpu + " has " + String.format(Locale.ROOT, "%.0f", pages)
                        + " retired pages: at the replacement threshold; drain the node and replace the GPU"));
            }
        });
        return findings;
    }
}
