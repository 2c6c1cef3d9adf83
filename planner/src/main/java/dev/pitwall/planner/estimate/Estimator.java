package dev.pitwall.planner.estimate;

import dev.pitwall.core.catalog.GpuSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compute, memory and time of a training run, from the model's architecture, the setup and the
 * GPUs. Pure arithmetic: every formula cites where it comes from.
 */
public final class Estimator {

    private static final double GIB = 1024.0 * 1024 * 1024;
    /** CUDA context, NCCL and allocator buffers: a typical observed overhead per GPU, not a derived figure. */
    static final double RUNTIME_BYTES = 2 * GIB;
    /** Memory kept free against fragmentation. */
    static final double USABLE_SHARE = 0.95;

    private Estimator() {
    }

    public static Estimate estimate(ModelSpec model, TrainingSetup setup, GpuSpec gpu, int gpus, double mfu,
                                    Optional<Double> pricePerGpuHour) {
        if (gpus % (setup.tp() * setup.pp()) != 0) {
            throw new IllegalArgumentException(gpus + " GPUs do not divide into TP " + setup.tp() + " x PP " + setup.pp());
        }
        int dp = gpus / (setup.tp() * setup.pp());
        // Training FLOPs per token: 6N for the matrix multiplications (2N forward, 4N backward), plus
        // 12·L·H·Q·T for attention (PaLM, Chowdhery et al. 2022, Appendix B), N the active parameters.
        double flopsPerToken = 6.0 * model.activeParams() + 12.0 * model.layers() * model.heads() * model.headDim() * setup.seq();
        double tokensPerStep = (double) setup.globalBatch() * setup.seq();
        double flopsPerStep = flopsPerToken * tokensPerStep;
        double totalFlops = flopsPerToken * setup.tokens();

        Estimate.MemoryBreakdown memory = memory(model, setup, gpu, dp);
        boolean fits = memory.total() <= memory.available();
        Optional<String> toFit = fits ? Optional.empty() : smallestChange(model, setup, gpu, gpus);

        double peak = gpu.peakTflops(setup.precision()).or(() -> gpu.peakTflops("bf16"))
                .orElseThrow(() -> new IllegalArgumentException(gpu.name() + " has no " + setup.precision() + " figure"))
                * 1e12;
        double stepSeconds = flopsPerStep / (gpus * peak * mfu);
        double totalHours = stepSeconds * (setup.tokens() / tokensPerStep) / 3600;
        double gpuHours = totalHours * gpus;
        return new Estimate(model.totalParams(), model.activeParams(), dp, flopsPerToken, flopsPerStep, totalFlops,
                memory, fits, toFit, stepSeconds, totalHours, gpuHours, pricePerGpuHour.map(p -> p * gpuHours));
    }

    static Estimate.MemoryBreakdown memory(ModelSpec model, TrainingSetup setup, GpuSpec gpu, int dp) {
        // Mixed-precision Adam keeps 2 bytes of weights and 2 of gradients per parameter, and 12 of
        // optimizer state (fp32 master weights, momentum, variance); ZeRO stage 1 shards the
        // optimizer state over data-parallel ranks, stage 2 the gradients too, stage 3 the weights
        // (Rajbhandari et al. 2020, "ZeRO", section 3).
        double paramsPerGpu = (double) model.totalParams() / (setup.tp() * setup.pp());
        double weights = 2 * paramsPerGpu / (setup.zero() >= 3 ? dp : 1);
        double gradients = 2 * paramsPerGpu / (setup.zero() >= 2 ? dp : 1);
        double optimizer = 12 * paramsPerGpu / (setup.zero() >= 1 ? dp : 1);

        // Activations per layer with tensor and sequence parallelism: s·b·h·(34 + 5·a·s/h)/t bytes
        // (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models",
        // Table 2); FlashAttention never stores the s x s scores, which removes the 5·a·s/h term;
        // selective recomputation keeps 34·s·b·h/t, full recomputation only each layer's input, 2·s·b·h/t.
        // Under 1F1B the first pipeline stage holds p micro-batches of its L/p layers: L layers' worth.
        double sbh = (double) setup.seq() * setup.microBatch() * model.hidden();
        double perLayer = switch (setup.recompute()) {
            case NONE -> sbh * (34 + (setup.flashAttention() ? 0 : 5.0 * model.heads() * setup.seq() / model.hidden()))
                    / setup.tp();
            case SELECTIVE -> 34 * sbh / setup.tp();
            case FULL -> 2 * sbh / setup.tp();
        };
        double activations = perLayer * model.layers();
        // The last stage's logits in fp32 for the loss: 4·s·b·V/t bytes.
        double logits = 4.0 * setup.seq() * setup.microBatch() * model.vocab() / setup.tp();
        return new Estimate.MemoryBreakdown(weights, gradients, optimizer, activations, logits, RUNTIME_BYTES,
                gpu.memoryGib() * GIB * USABLE_SHARE);
    }

    /** The first single change, cheapest first, after which the run fits. */
    static Optional<String> smallestChange(ModelSpec model, TrainingSetup setup, GpuSpec gpu, int gpus) {
        List<Candidate> candidates = new ArrayList<>();
        if (setup.recompute() == TrainingSetup.Recompute.NONE) {
            candidates.add(new Candidate("selective activation recomputation",
                    setup.with(TrainingSetup.Recompute.SELECTIVE, setup.zero(), setup.tp(), setup.pp(), setup.microBatch())));
        }
        if (setup.recompute() != TrainingSetup.Recompute.FULL) {
            candidates.add(new Candidate("full activation recomputation",
                    setup.with(TrainingSetup.Recompute.FULL, setup.zero(), setup.tp(), setup.pp(), setup.microBatch())));
        }
        for (int zero = setup.zero() + 1; zero <= 3; zero++) {
            candidates.add(new Candidate("ZeRO stage " + zero,
                    setup.with(setup.recompute(), zero, setup.tp(), setup.pp(), setup.microBatch())));
        }
        if (setup.microBatch() > 1) {
            candidates.add(new Candidate("micro batch 1",
                    setup.with(setup.recompute(), setup.zero(), setup.tp(), setup.pp(), 1)));
        }
        for (int tp = setup.tp() * 2; tp <= 8 && model.heads() % tp == 0; tp *= 2) {
            candidates.add(new Candidate("tensor parallel " + tp,
                    setup.with(setup.recompute(), setup.zero(), tp, setup.pp(), setup.microBatch())));
        }
        for (int pp = setup.pp() * 2; pp <= model.layers(); pp *= 2) {
            candidates.add(new Candidate("pipeline parallel " + pp,
                    setup.with(setup.recompute(), setup.zero(), setup.tp(), pp, setup.microBatch())));
        }
        for (Candidate candidate : candidates) {
            TrainingSetup s = candidate.setup();
            if (gpus % (s.tp() * s.pp()) != 0) {
                continue;
            }
            Estimate.MemoryBreakdown m = memory(model, s, gpu, gpus / (s.tp() * s.pp()));
            if (m.total() <= m.available()) {
                return Optional.of(candidate.change());
            }
        }
        return Optional.of("no single change fits: combine them, or use more or larger GPUs");
    }

    private record Candidate(String change, TrainingSetup setup) {
    }
}
