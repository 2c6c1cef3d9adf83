package dev.pitwall.core.catalog;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One GPU product: what it can do at most, for comparing measured throughput with theoretical
 * and for estimating training runs.
 *
 * @param match              substrings of the names tools print for it ("H100 80GB HBM3")
 * @param computeCapability  CUDA compute capability ("9.0"), which decides bf16 (8.0+) and fp8 (8.9+)
 * @param tflops             peak dense TFLOPS by precision (fp64, fp64-tensor, fp32, tf32, bf16, fp16, fp8, int8)
 * @param source             where the figures come from
 */
public record GpuSpec(String name, List<String> match, String architecture, String computeCapability,
                      double memoryGib, double memoryBandwidthTbps, Nvlink nvlink, Map<String, Double> tflops,
                      String source) {

    /** NVLink generation and total bandwidth per GPU (both directions). */
    public record Nvlink(int generation, double bandwidthGbps) {
    }

    public GpuSpec {
        match = match == null ? List.of() : List.copyOf(match);
        tflops = tflops == null ? Map.of() : Map.copyOf(tflops);
    }

    /** Peak dense TFLOPS for {@code precision}, if the GPU has it. */
    public Optional<Double> peakTflops(String precision) {
        return Optional.ofNullable(tflops.get(precision.toLowerCase(Locale.ROOT)));
    }

    /** True when {@code reportedName} (as nvidia-smi or nccl-tests print it) is this GPU. */
    public boolean matches(String reportedName) {
        String reported = reportedName.toLowerCase(Locale.ROOT);
        return name.equalsIgnoreCase(reportedName)
                || match.stream().anyMatch(m -> reported.contains(m.toLowerCase(Locale.ROOT)));
    }
}
