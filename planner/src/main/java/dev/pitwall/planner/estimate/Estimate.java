package dev.pitwall.planner.estimate;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Optional;

/**
 * What a training run will take. Serialised with the snake-case names the JSON output documents.
 *
 * @param parallelism        the layout: TP, PP, CP, EP, DP, ZeRO stage and micro-batches per step
 * @param flopsPerToken      training FLOPs per token (forward and backward)
 * @param flopsPerStep       for one optimizer step
 * @param totalFlops         for all the tokens
 * @param memory             per-GPU memory, broken down
 * @param fits               whether that fits in the GPU's memory
 * @param toFit              the smallest single change that makes it fit, when it does not
 * @param communication      bytes each GPU sends per step in each parallel dimension, and the time on its link
 * @param time               where a step's time goes
 * @param stepSeconds        one optimizer step
 * @param mfu                model FLOPs utilisation: the one stated, or the one the roofline implies
 * @param totalSeconds       the whole run
 * @param gpuHours           GPUs x hours
 * @param cost               GPU-hours x price, in the price's currency, when a price is given
 */
@JsonPropertyOrder({"model", "gpu", "gpus", "params_total", "params_active", "parallelism", "flops_per_token",
        "flops_per_step", "flops_total", "memory_per_gpu_bytes", "fits", "to_fit", "communication", "time",
        "step_time_s", "mfu", "total_time_s", "gpu_hours", "cost"})
public record Estimate(@JsonProperty("model") String model, @JsonProperty("gpu") String gpu, @JsonProperty("gpus") int gpus,
                       @JsonProperty("params_total") long totalParams, @JsonProperty("params_active") long activeParams,
                       @JsonProperty("parallelism") Parallelism parallelism,
                       @JsonProperty("flops_per_token") double flopsPerToken,
                       @JsonProperty("flops_per_step") double flopsPerStep, @JsonProperty("flops_total") double totalFlops,
                       @JsonProperty("memory_per_gpu_bytes") MemoryBreakdown memory, @JsonProperty("fits") boolean fits,
                       @JsonProperty("to_fit") Optional<String> toFit,
                       @JsonProperty("communication") List<Communication> communication,
                       @JsonProperty("time") StepTime time, @JsonProperty("step_time_s") double stepSeconds,
                       @JsonProperty("mfu") double mfu, @JsonProperty("total_time_s") double totalSeconds,
                       @JsonProperty("gpu_hours") double gpuHours, @JsonProperty("cost") Optional<Money> cost) {

    public double totalHours() {
        return totalSeconds / 3600;
    }

    /** Tokens trained per second over the whole cluster. */
    public double tokensPerSecond(TrainingSetup setup) {
        return setup.globalBatch() * (double) setup.seq() / stepSeconds;
    }

    public record Parallelism(@JsonProperty("tp") int tp, @JsonProperty("pp") int pp, @JsonProperty("cp") int cp,
                              @JsonProperty("ep") int ep, @JsonProperty("dp") int dp, @JsonProperty("zero") int zero,
                              @JsonProperty("micro_batch") int microBatch,
                              @JsonProperty("micro_batches_per_step") int microBatchesPerStep,
                              @JsonProperty("recompute") String recompute, @JsonProperty("offload") String offload) {
    }

    /** Bytes per GPU. */
    @JsonPropertyOrder({"total", "weights", "gradients", "optimizer_states", "activations", "logits",
            "runtime_and_buffers", "available"})
    public record MemoryBreakdown(@JsonProperty("weights") double weights, @JsonProperty("gradients") double gradients,
                                  @JsonProperty("optimizer_states") double optimizer,
                                  @JsonProperty("activations") double activations, @JsonProperty("logits") double logits,
                                  @JsonProperty("runtime_and_buffers") double runtime,
                                  @JsonProperty("available") double available) {

        @JsonProperty("total")
        public double total() {
            return weights + gradients + optimizer + activations + logits + runtime;
        }
    }

    /**
     * One parallel dimension's traffic in a step.
     *
     * @param overlapped whether it can hide behind computation (data-parallel gradient reduction during backward)
     */
    public record Communication(@JsonProperty("dimension") String dimension, @JsonProperty("collective") String collective,
                                @JsonProperty("bytes_per_step") double bytesPerStep, @JsonProperty("link") String link,
                                @JsonProperty("link_gb_s") double linkGBps, @JsonProperty("time_s") double seconds,
                                @JsonProperty("overlapped") boolean overlapped) {
    }

    /**
     * A step's time by part. With a stated MFU only {@code method} and the total are known; the
     * roofline splits it.
     *
     * @param kernelEfficiency            the share of peak the roofline assumes kernels sustain (NaN from a stated MFU)
     * @param computeSeconds              kernels, including recomputation, at that kernel efficiency
     * @param bubbleSeconds               pipeline fill and drain
     * @param exposedCommunicationSeconds communication not hidden behind computation
     */
    public record StepTime(@JsonProperty("method") String method,
                           @JsonProperty("kernel_efficiency") double kernelEfficiency,
                           @JsonProperty("compute_s") double computeSeconds,
                           @JsonProperty("bubble_s") double bubbleSeconds,
                           @JsonProperty("exposed_communication_s") double exposedCommunicationSeconds) {
    }
}
