package dev.pitwall.acceptance.campaign;

import dev.pitwall.core.metrics.PrometheusSamples;
import java.util.Map;
import java.util.TreeMap;

/**
 * The health counters a campaign follows from round to round, read from one node's exporter
 * outputs (dcgm-exporter and node-exporter, as their /metrics answer): names and values, summed
 * over GPUs or ports unless the name says otherwise.
 *
 * <ul>
 *   <li>{@value #ECC_DBE}: double-bit ECC errors, volatile and aggregate counters added
 *       ({@code DCGM_FI_DEV_ECC_DBE_VOL_TOTAL}, {@code DCGM_FI_DEV_ECC_DBE_AGG_TOTAL});</li>
 *   <li>{@value #ROW_REMAP_FAILURE}: GPUs whose row remapping failed ({@code DCGM_FI_DEV_ROW_REMAP_FAILURE});</li>
 *   <li>{@value #REMAPPED_UNCORRECTABLE} and {@value #REMAPPED_CORRECTABLE}: rows remapped for
 *       uncorrectable and correctable errors;</li>
 *   <li>{@value #THERMAL_VIOLATION}: microseconds of clocks held back for heat ({@code DCGM_FI_DEV_THERMAL_VIOLATION});</li>
 *   <li>{@value #GPU_TEMP_MAX}: the hottest GPU's temperature, °C (a reading, not a counter);</li>
 *   <li>{@value #LINK_DOWNED}: times an InfiniBand port's link went down
 *       ({@code node_infiniband_link_downed_total}, node-exporter's infiniband collector);</li>
 *   <li>{@code xid_last.<gpu>}: the last Xid each GPU reported ({@code DCGM_FI_DEV_XID_ERRORS}),
 *       and {@code xid_window.<code>}: Xids of a code in dcgm-exporter's counting window
 *       ({@code DCGM_EXP_XID_ERRORS_COUNT}).</li>
 * </ul>
 */
public final class NodeCounters {

    public static final String ECC_DBE = "ecc_dbe";
    public static final String ROW_REMAP_FAILURE = "row_remap_failure";
    public static final String REMAPPED_UNCORRECTABLE = "remapped_rows_uncorrectable";
    public static final String REMAPPED_CORRECTABLE = "remapped_rows_correctable";
    public static final String THERMAL_VIOLATION = "thermal_violation_us";
    public static final String GPU_TEMP_MAX = "gpu_temp_max";
    public static final String LINK_DOWNED = "link_downed";
    public static final String XID_LAST = "xid_last.";
    public static final String XID_WINDOW = "xid_window.";

    private static final Map<String, String> SUMMED = Map.of(
            "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", ECC_DBE,
            "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", ECC_DBE,
            "DCGM_FI_DEV_ROW_REMAP_FAILURE", ROW_REMAP_FAILURE,
            "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", REMAPPED_UNCORRECTABLE,
            "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", REMAPPED_CORRECTABLE,
            "DCGM_FI_DEV_THERMAL_VIOLATION", THERMAL_VIOLATION,
            "node_infiniband_link_downed_total", LINK_DOWNED);

    private NodeCounters() {
    }

    /**
     * Puts what one exposition says into {@code counters}, replacing the same counters read before
     * (a later stage's reading is the newer); a node's dcgm-exporter and node-exporter outputs
     * fill different ones.
     */
    public static void read(PrometheusSamples.Exposition exposition, Map<String, Double> counters) {
        Map<String, Double> fresh = new TreeMap<>();
        for (PrometheusSamples.Sample sample : exposition.samples()) {
            if (Double.isNaN(sample.value())) {
                continue;
            }
            String summed = SUMMED.get(sample.name());
            if (summed != null) {
                fresh.merge(summed, sample.value(), Double::sum);
            }
            switch (sample.name()) {
                case "DCGM_FI_DEV_GPU_TEMP" -> fresh.merge(GPU_TEMP_MAX, sample.value(), Math::max);
                case "DCGM_FI_DEV_XID_ERRORS" -> fresh.put(XID_LAST + sample.label("gpu"), sample.value());
                case "DCGM_EXP_XID_ERRORS_COUNT" -> {
                    if (!sample.label("xid").isEmpty()) {
                        fresh.merge(XID_WINDOW + sample.label("xid"), sample.value(), Double::sum);
                    }
                }
                default -> {
                    // not a counter the campaign follows
                }
            }
        }
        counters.putAll(fresh);
    }
}
