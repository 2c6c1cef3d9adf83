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
 * @param computeCapability  null for accelerators that are not NVIDIA's
 * @param nvlink             NVIDIA's GPU-to-GPU link, or null
 * @param peerLink           another vendor's GPU-to-GPU link (AMD Infinity Fabric, Huawei HCCS, Gaudi's RoCE), or null
 * @param tflops             peak dense TFLOPS by precision (fp64, fp64-tensor, fp32, tf32, bf16, fp16, fp8, int8)
 * @param kernelEfficiency   share of that peak training kernels sustain, for the planner's roofline; null for
 *                           {@link #DEFAULT_KERNEL_EFFICIENCY}
 * @param source             where the figures come from
 */
public record GpuSpec(String name, List<String> match, String architecture, String computeCapability,
                      double memoryGib, double memoryBandwidthTbps, Nvlink nvlink, PeerLink peerLink,
                      Map<String, Double> tflops, Double kernelEfficiency, String source) {

    /**
     * Large bf16 GEMMs reach roughly 70-80% of peak on A100 and H100; attention, norms and
     * element-wise kernels less. An assumption, not a measurement, that lands the roofline within a
     * few points of published MFUs (docs/planner.md); a measured MFU replaces it.
     */
    public static final double DEFAULT_KERNEL_EFFICIENCY = 0.75;

    /** NVLink generation and total bandwidth per GPU (both directions). */
    public record Nvlink(int generation, double bandwidthGbps) {
    }

    /** A GPU-to-GPU link by another name than NVLink, and its total bandwidth per GPU (both directions). */
    public record PeerLink(String name, double bandwidthGbps) {
    }

    /** The GPU-to-GPU link's total bandwidth per GPU (both directions), when it has one beside PCIe. */
    public Optional<Double> peerBandwidthGbps() {
        return nvlink != null ? Optional.of(nvlink.bandwidthGbps())
                : Optional.ofNullable(peerLink).map(PeerLink::bandwidthGbps);
    }

    public GpuSpec {
        kernelEfficiency = kernelEfficiency == null ? DEFAULT_KERNEL_EFFICIENCY : kernelEfficiency;
        match = match == null ? List.of() : List.copyOf(match);
        tflops = tflops == null ? Map.of() : Map.copyOf(tflops);
    }

    /** Peak dense TFLOPS for {@code precision}, if the GPU has it. */
    public Optional<Double> peakTflops(String precision) {
        return Optional.ofNullable(tflops.get(precision.toLowerCase(Locale.ROOT)));
    }

    /** True when {@code reportedName} (as nvidia-smi or nccl-tests print it) is this GPU. */
    public boolean matches(String reportedName) {
        return name.equalsIgnoreCase(reportedName) || matchLength(reportedName) > 0;
    }

    /**
     * The length of the longest of {@link #match} that {@code reportedName} holds as a whole (not
     * followed by a letter or digit: "NVIDIA A10" is not in "NVIDIA A100", "L40" not in "L40S"), or 0.
     */
    public int matchLength(String reportedName) {
        String reported = reportedName.toLowerCase(Locale.ROOT);
        int longest = 0;
        for (String m : match) {
            String wanted = m.toLowerCase(Locale.ROOT);
            for (int at = reported.indexOf(wanted); at >= 0; at = reported.indexOf(wanted, at + 1)) {
                int end = at + wanted.length();
                if (end == reported.length() || !Character.isLetterOrDigit(reported.charAt(end))) {
                    longest = Math.max(longest, wanted.length());
                }
            }
        }
        return longest;
    }
}
