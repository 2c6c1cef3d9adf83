package dev.pitwall.planner.estimate;

import java.util.Optional;

/**
 * What a training run will take.
 *
 * @param dataParallel      data-parallel size: GPUs / (TP x PP)
 * @param flopsPerToken     training FLOPs per token (forward and backward)
 * @param flopsPerStep      for one optimizer step
 * @param totalFlops        for all the tokens
 * @param memory            per-GPU memory, broken down
 * @param fits              whether that fits in the GPU's memory
 * @param toFit             the smallest single change that makes it fit, when it does not
 * @param stepSeconds       one optimizer step at the given MFU
 * @param totalHours        the whole run
 * @param gpuHours          GPUs x hours
 * @param cost              GPU-hours x price, when a price is given
 */
public record Estimate(long totalParams, long activeParams, int dataParallel, double flopsPerToken, double flopsPerStep,
                       double totalFlops, MemoryBreakdown memory, boolean fits, Optional<String> toFit,
                       double stepSeconds, double totalHours, double gpuHours, Optional<Double> cost) {

    /** Bytes per GPU. */
    public record MemoryBreakdown(double weights, double gradients, double optimizer, double activations,
                                  double logits, double runtime, double available) {

        public double total() {
            return weights + gradients + optimizer + activations + logits + runtime;
        }
    }
}
