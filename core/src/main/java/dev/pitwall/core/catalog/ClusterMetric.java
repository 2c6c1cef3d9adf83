package dev.pitwall.core.catalog;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every cluster metric Pitwall computes or reads, with how it is computed, from what, in which
 * unit and where it is shown. The code that computes a metric takes its names from here (the
 * report field, the meter on {@code /metrics}), and {@code pitwall report metrics} prints this
 * catalog, so the metric design report cannot drift from what the code does.
 *
 * @param field     the metric's field in the JSON of the report that carries it
 * @param meter     its Micrometer name on {@code /metrics}, or null when it is not exported
 * @param meterUnit the meter's base unit, which Prometheus appends to the name, or null
 */
public enum ClusterMetric {

    THEORETICAL_TFLOPS("theoretical_tflops", "Theoretical cluster TFLOPS", "TFLOPS",
            "sum over every node's GPUs of the GPU model's peak dense TFLOPS at one precision (BF16 unless "
                    + "asked; no sparsity)",
            "GPU catalog (vendor datasheets, gpus.yaml) × node inventory (nvidia-smi -q -x sent by node agents)",
            null, null, List.of("pitwall report metrics")),
    EFFECTIVE_TFLOPS("effective_tflops", "Effective cluster TFLOPS", "TFLOPS",
            "sum over nodes of the node's best HPL-MxP result (GFLOPS ÷ 1000), from the newest stored acceptance "
                    + "run that has HPL-MxP",
            "HPL-MxP outputs judged by pitwall check evaluate --store (node figure hpl-mxp.gflops)",
            null, null, List.of("pitwall report metrics", "acceptance report, per node (hpl-mxp.gflops)")),
    HPL_MXP_EFFICIENCY("hpl-mxp.efficiency", "HPL-MxP efficiency", "share of peak",
            "a node's HPL-MxP GFLOPS ÷ (its GPUs × the model's peak in the factorization's precision)",
            "HPL-MxP output × nvidia-smi's GPU model × GPU catalog",
            null, null, List.of("acceptance report, per node", "hardware profile baselines")),
    HPL_EFFICIENCY("hpl.efficiency", "HPL efficiency", "share of peak",
            "a node's best HPL GFLOPS ÷ (its GPUs × the model's FP64 tensor peak, else FP64)",
            "HPL output × nvidia-smi's GPU model × GPU catalog",
            null, null, List.of("acceptance report, per node", "hardware profile baselines")),
    BUS_BANDWIDTH("nccl.<test>.avg_busbw", "Collective bus bandwidth", "GB/s",
            "nccl-tests' busbw: algorithm bandwidth × its collective's factor (2(n−1)/n for all-reduce), so that "
                    + "it stays flat with the rank count on a healthy fabric",
            "nccl-tests output (average over message sizes; busbw_max at the largest)",
            null, null, List.of("acceptance report", "campaign report trends", "hardware profile baselines")),
    SCALING_EFFICIENCY("efficiency", "Scaling efficiency", "share of the smallest run",
            "bus bandwidth at the largest message size at N nodes ÷ the same at the fewest nodes run",
            "nccl-tests runs of one test at 1, 2, 4, 8 … nodes", null, null, List.of("pitwall check scaling")),
    PHYSICAL_UTILIZATION("physical_utilization_pct", "Physical GPU utilisation", "%",
            "allocated GPUs ÷ all GPUs seen, summed over the period's dcgm-exporter scrape rounds",
            "dcgm-exporter scrapes (a GPU is allocated when a pod label names its workload)",
            null, null, List.of("pitwall incidents report", "console Training", "pitwall report ab")),
    LOGICAL_UTILIZATION("logical_utilization_pct", "Logical GPU utilisation", "%",
            "mean SM activity of the allocated GPUs over the period's scrape rounds (GPU utilisation where "
                    + "profiling metrics are off)",
            "dcgm-exporter DCGM_FI_PROF_SM_ACTIVE, else DCGM_FI_DEV_GPU_UTIL",
            null, null, List.of("pitwall incidents report", "console Training", "pitwall report ab")),
    MTBF("mtbf_hours", "Mean time between failures (cluster)", "hours",
            "hours the cluster was observed ÷ incidents detected in the period (none under one node-day observed)",
            "incidents opened from detected signals; node sightings for the time observed",
            "pitwall.reliability.mtbf", "hours",
            List.of("pitwall incidents report", "console Training", "Grafana Training reliability")),
    MTBF_PER_NODE("mtbf_hours_per_node", "Mean time between failures (per node)", "hours",
            "node-hours observed ÷ incidents in the period", "incidents; node sightings",
            null, null, List.of("pitwall incidents report", "console Training")),
    NODE_FAILURE_RATE("failures_per_1000_node_days", "Node failure rate", "failures per 1,000 node-days",
            "1000 × incidents ÷ node-days observed (or the stated node count × the period)",
            "incidents; node sightings or --nodes",
            "pitwall.reliability.failures.per.1000.node.days", null,
            List.of("pitwall incidents report", "console Training", "Grafana Training reliability")),
    TIME_TO_DETECT("time_to_detect", "Time to detect (TTD)", "seconds",
            "an incident's detection − the first signal of its fault on the node; mean, p50, p90, max",
            "signal timestamps from ingested logs and telemetry; incidents",
            "pitwall.reliability.time.to.detect", "seconds",
            List.of("pitwall incidents report", "console Training", "pitwall drill run", "pitwall report ab",
                    "Grafana Training reliability")),
    TIME_TO_RECOVER("time_to_recover", "Time to recover (MTTR)", "seconds",
            "an incident's mitigation (training running again) − its detection; mean, p50, p90, max",
            "incidents (mitigated through the API or the console)",
            "pitwall.reliability.time.to.recover", "seconds",
            List.of("pitwall incidents report", "console Training", "pitwall drill run", "pitwall report ab",
                    "Grafana Training reliability")),
    GOODPUT("goodput_pct", "Goodput", "%",
            "share of the period outside any incident, from its start (or detection) to its mitigation, overlaps "
                    + "counted once",
            "incidents", "pitwall.reliability.goodput", "ratio",
            List.of("pitwall incidents report", "console Training", "Grafana Training reliability"));

    private final String field;
    private final String title;
    private final String unit;
    private final String formula;
    private final String source;
    private final String meter;
    private final String meterUnit;
    private final List<String> shownIn;

    ClusterMetric(String field, String title, String unit, String formula, String source, String meter,
                  String meterUnit, List<String> shownIn) {
        this.field = field;
        this.title = title;
        this.unit = unit;
        this.formula = formula;
        this.source = source;
        this.meter = meter;
        this.meterUnit = meterUnit;
        this.shownIn = shownIn;
    }

    public String field() {
        return field;
    }

    public String title() {
        return title;
    }

    public String unit() {
        return unit;
    }

    public String formula() {
        return formula;
    }

    public String source() {
        return source;
    }

    /** The Micrometer meter name, for the code that registers it. */
    public Optional<String> meter() {
        return Optional.ofNullable(meter);
    }

    public Optional<String> meterUnit() {
        return Optional.ofNullable(meterUnit);
    }

    /** The name Prometheus scrapes: Micrometer's, dots as underscores, the base unit appended. */
    public Optional<String> prometheusName() {
        return meter().map(m -> m.replace('.', '_') + (meterUnit == null ? "" : "_" + meterUnit));
    }

    /** Where it is shown; {@code /metrics} first when it is exported. */
    public List<String> shownIn() {
        return prometheusName().map(p -> Stream.concat(Stream.of("/metrics " + p),
                shownIn.stream()).toList()).orElse(shownIn);
    }
}
