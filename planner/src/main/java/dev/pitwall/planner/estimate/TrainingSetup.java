package dev.pitwall.planner.estimate;

import java.util.Locale;

/**
 * How a model is trained.
 *
 * @param tokens         tokens to train on
 * @param seq            sequence length
 * @param globalBatch    sequences per optimizer step
 * @param microBatch     sequences per forward/backward pass on one GPU
 * @param precision      bf16, fp16 or fp8 (mixed precision with fp32 master weights and Adam)
 * @param zero           ZeRO stage 0-3 over the data-parallel group
 * @param tp             tensor-parallel size (with sequence parallelism)
 * @param pp             pipeline-parallel size (1F1B schedule)
 * @param recompute      none, selective or full activation recomputation
 * @param flashAttention attention without storing the s x s score matrix
 */
public record TrainingSetup(double tokens, int seq, int globalBatch, int microBatch, String precision, int zero,
                            int tp, int pp, Recompute recompute, boolean flashAttention) {

    public enum Recompute {
        NONE, SELECTIVE, FULL;

        public static Recompute parse(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    public TrainingSetup {
        if (!(tokens > 0) || seq < 1 || globalBatch < 1 || microBatch < 1 || tp < 1 || pp < 1) {
            throw new IllegalArgumentException("tokens, seq, batches and parallel sizes must be positive");
        }
        if (zero < 0 || zero > 3) {
            throw new IllegalArgumentException("ZeRO stage must be 0, 1, 2 or 3, found " + zero);
        }
        precision = precision.toLowerCase(Locale.ROOT);
        if (!java.util.List.of("bf16", "fp16", "fp8").contains(precision)) {
            throw new IllegalArgumentException("precision must be bf16, fp16 or fp8, found " + precision);
        }
    }

    public TrainingSetup with(Recompute newRecompute, int newZero, int newTp, int newPp, int newMicroBatch) {
        return new TrainingSetup(tokens, seq, globalBatch, newMicroBatch, precision, newZero, newTp, newPp, newRecompute,
                flashAttention);
    }
}
