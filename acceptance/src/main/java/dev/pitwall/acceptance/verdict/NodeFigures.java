package dev.pitwall.acceptance.verdict;

import dev.pitwall.acceptance.parse.Measurement;
import dev.pitwall.acceptance.parse.ToolOutput;
import dev.pitwall.core.catalog.GpuCatalog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The figures one node's tool outputs add up to, by name, each higher-is-better, which
 * baselines and the fleet comparison judge: {@code nccl.<test>.busbw_max} and
 * {@code nccl.<test>.avg_busbw} (GB/s), {@code gpu-burn.gflops_min} and
 * {@code dcgmi-diag.gflops_min} (the node's slowest GPU), {@code perftest.<test>.bw_average_max}
 * (MB/s), {@code fio.<job>.<direction>.iops}, {@code p2p.bw_bidir_min} (the slowest peer-to-peer
 * pair, GB/s), {@code hpl.gflops} (the best HPL run) and {@code hpl.efficiency} (its share of the
 * GPUs' FP64 peak from the GPU catalog, when nvidia-smi names the GPU), {@code hpl-mxp.gflops} and
 * {@code hpl-mxp.efficiency} (the same for HPL-MxP against the peak of the precision its
 * factorization ran in), and {@code nvidia-smi.gpu_count}.
 */
public final class NodeFigures {

    /**
     * A figure, its unit, and how it was measured where that varies between runs of one test
     * (fio's rw, block size, queue depth, jobs and engine), or empty: figures of different setups
     * are not comparable.
     */
    public record Figure(double value, String unit, String setup) {

        Figure(double value, String unit) {
            this(value, unit, "");
        }
    }

    /** The fio job options that decide what its IOPS mean. */
    private static final List<String> FIO_SETUP = List.of("rw", "bs", "iodepth", "numjobs", "ioengine");

    /** A node's best HPL-MxP result, GFLOPS: the effective TFLOPS the cluster's metrics sum. */
    public static final String HPL_MXP_GFLOPS = "hpl-mxp.gflops";
    /** Figures that consistency, not the fleet median, judges. */
    static final String GPU_COUNT = "nvidia-smi.gpu_count";
    /** HPL's achieved share of the GPUs' theoretical FP64 peak. */
    static final String HPL_EFFICIENCY = "hpl.efficiency";
    /** HPL-MxP's achieved share of the GPUs' theoretical peak in its factorization's precision. */
    static final String HPL_MXP_EFFICIENCY = "hpl-mxp.efficiency";
    /** The factorization's precision when the output does not say (rocHPL-MxP): FP16, as HPL-MxP's rules began. */
    private static final String MXP_DEFAULT_PRECISION = "fp16";

    private NodeFigures() {
    }

    public static Map<String, Figure> of(List<ToolOutput> outputs) {
        Map<String, Figure> figures = new TreeMap<>();
        Measurement bestHpl = null;
        Measurement bestMxp = null;
        String gpuModel = null;
        for (ToolOutput output : outputs) {
            for (Measurement m : output.measurements()) {
                if (output.tool().equals("hpl") && m.name().equals("hpl_gflops")
                        && (bestHpl == null || m.value() > bestHpl.value())) {
                    bestHpl = m;
                }
                if (output.tool().equals("hpl-mxp") && m.name().equals("hpl_mxp_gflops")
                        && (bestMxp == null || m.value() > bestMxp.value())) {
                    bestMxp = m;
                }
                if (output.tool().equals("nvidia-smi") && m.name().equals("gpu")) {
                    gpuModel = String.valueOf(m.label("product_name"));
                }
                switch (output.tool() + "/" + m.name()) {
                    case "nccl-tests/busbw" -> put(figures, "nccl." + m.label("test") + ".busbw_max", m, Math::max);
                    case "nccl-tests/avg_busbw" -> put(figures, "nccl." + m.label("test") + ".avg_busbw", m, Math::min);
                    case "gpu-burn/gflops" -> put(figures, "gpu-burn.gflops_min", m, Math::min);
                    case "dcgmi-diag/gflops" -> put(figures, "dcgmi-diag.gflops_min", m, Math::min);
                    case "perftest/bw_average" -> put(figures, "perftest." + m.label("test") + ".bw_average_max", m,
                            Math::max);
                    case "fio/iops" -> figures.merge("fio." + m.label("job") + "." + m.label("direction") + ".iops",
                            new Figure(m.value(), m.unit(), fioSetup(m)),
                            (a, b) -> new Figure(Math.min(a.value(), b.value()), a.unit(), a.setup()));
                    case "p2pBandwidthLatencyTest/p2p_bw_bidir" -> {
                        // The slowest pair that can talk peer-to-peer: a degraded NVLink shows here.
                        if (Boolean.TRUE.equals(m.label("p2p")) && Boolean.TRUE.equals(m.label("peer"))) {
                            put(figures, "p2p.bw_bidir_min", m, Math::min);
                        }
                    }
                    case "hpl/hpl_gflops" -> put(figures, "hpl.gflops", m, Math::max);
                    case "hpl-mxp/hpl_mxp_gflops" -> put(figures, HPL_MXP_GFLOPS, m, Math::max);
                    case "nvidia-smi/gpu" -> figures.merge(GPU_COUNT, new Figure(1, "GPUs"),
                            (a, b) -> new Figure(a.value() + b.value(), a.unit()));
                    default -> {
                        // not a figure judged per node
                    }
                }
            }
        }
        efficiency(bestHpl, gpuModel, "fp64-tensor", "fp64")
                .ifPresent(e -> figures.put(HPL_EFFICIENCY, new Figure(e, "of peak")));
        if (bestMxp != null) {
            Object precision = bestMxp.label("precision");
            efficiency(bestMxp, gpuModel, precision == null ? MXP_DEFAULT_PRECISION : precision.toString())
                    .ifPresent(e -> figures.put(HPL_MXP_EFFICIENCY, new Figure(e, "of peak")));
        }
        return figures;
    }

    /**
     * Effective against theoretical: a run's GFLOP/s over its P x Q GPUs' peak in the first of
     * {@code precisions} the catalog knows for the GPU.
     */
    private static Optional<Double> efficiency(Measurement run, String gpuModel, String... precisions) {
        if (run == null || gpuModel == null) {
            return Optional.empty();
        }
        int gpus = ((Number) run.label("p")).intValue() * ((Number) run.label("q")).intValue();
        return GpuCatalog.builtIn().find(gpuModel)
                .flatMap(g -> Stream.of(precisions).map(g::peakTflops).flatMap(Optional::stream).findFirst())
                .map(peak -> run.value() / 1000 / (gpus * peak));
    }

    private static String fioSetup(Measurement m) {
        return FIO_SETUP.stream().filter(option -> m.label(option) != null).map(option -> option + "=" + m.label(option))
                .collect(Collectors.joining(" "));
    }

    /** Several readings of one figure (GPUs, sizes, repeated runs) combine as {@code pick} says. */
    private static void put(Map<String, Figure> figures, String name, Measurement m, BinaryOperator<Double> pick) {
        figures.merge(name, new Figure(m.value(), m.unit()),
                (a, b) -> new Figure(pick.apply(a.value(), b.value()), a.unit(), a.setup()));
    }
}
