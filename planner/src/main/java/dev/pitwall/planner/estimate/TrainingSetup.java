package dev.pitwall.planner.estimate;

import java.util.List;
import java.util.Locale;

/**
 * How a model is trained.
 *
 * @param tokens         tokens to train on
 * @param seq            sequence length
 * @param globalBatch    sequences per optimizer step
 * @param microBatch     sequences per forward/backward pass on one GPU
 * @param precision      bf16, fp16 or fp8 (mixed precision with fp32 master weights)
 * @param optimizer      adam (two fp32 moments) or sgd (one fp32 momentum)
 * @param zero           ZeRO stage 0-3 over the data-parallel group
 * @param tp             tensor-parallel size (with sequence parallelism)
 * @param pp             pipeline-parallel size (1F1B schedule)
 * @param cp             context-parallel size (the sequence split over ranks, ring attention)
 * @param ep             expert-parallel size (mixture-of-experts only; carved out of data parallelism)
 * @param recompute      none, selective or full activation recomputation
 * @param offload        none, optimizer (states and gradients in host memory) or all (weights too, ZeRO-3)
 * @param flashAttention attention without storing the s x s score matrix
 */
public record TrainingSetup(double tokens, int seq, int globalBatch, int microBatch, String precision, String optimizer,
                            int zero, int tp, int pp, int cp, int ep, Recompute recompute, Offload offload,
                            boolean flashAttention) {

    public enum Recompute {
        NONE, SELECTIVE, FULL;

        public static Recompute parse(String text) {
            return valueOf(choice("recompute", text, List.of("none", "selective", "full")).toUpperCase(Locale.ROOT));
        }
    }

    public enum Offload {
        NONE, OPTIMIZER, ALL;

        public static Offload parse(String text) {
            return valueOf(choice("offload", text, List.of("none", "optimizer", "all")).toUpperCase(Locale.ROOT));
        }
    }

    public TrainingSetup {
        if (!(tokens > 0) || seq < 1 || globalBatch < 1 || microBatch < 1 || tp < 1 || pp < 1 || cp < 1 || ep < 1) {
            throw new IllegalArgumentException("tokens, sequence length, batches and parallel sizes must be positive");
        }
        if (zero < 0 || zero > 3) {
            throw new IllegalArgumentException("ZeRO stage must be 0, 1, 2 or 3, found " + zero);
        }
        precision = choice("precision", precision, List.of("bf16", "fp16", "fp8"));
        optimizer = choice("optimizer", optimizer, List.of("adam", "sgd"));
        if (offload == Offload.ALL && zero < 3) {
            throw new IllegalArgumentException("offloading the weights needs ZeRO stage 3 (found stage " + zero + ")");
        }
        if (seq % cp != 0) {
            throw new IllegalArgumentException("sequence length " + seq + " does not split into " + cp + " context-parallel ranks");
        }
    }

    /** Model parallel size: the GPUs that hold one copy of the model. */
    public int modelParallel() {
        return tp * pp * cp;
    }

    public TrainingSetup withParallel(int newTp, int newPp, int newCp, int newEp) {
        return new TrainingSetup(tokens, seq, globalBatch, microBatch, precision, optimizer, zero, newTp, newPp, newCp, newEp,
                recompute, offload, flashAttention);
    }

    public TrainingSetup withMemorySavers(Recompute newRecompute, int newZero, int newMicroBatch, Offload newOffload) {
        return new TrainingSetup(tokens, seq, globalBatch, newMicroBatch, precision, optimizer, newZero, tp, pp, cp, ep,
                newRecompute, newOffload, flashAttention);
    }

    private static String choice(String what, String text, List<String> allowed) {
        String value = text == null ? "" : text.toLowerCase(Locale.ROOT);
        if (!allowed.contains(value)) {
            throw new IllegalArgumentException(what + " must be " + String.join(", ", allowed) + "; found " + text);
        }
        return value;
    }
}
