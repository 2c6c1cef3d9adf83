package dev.pitwall.planner.estimate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Compute, memory, communication and time of a training run, from the model's architecture, the
 * setup and the cluster. Pure arithmetic: every formula cites where it comes from.
 */
public final class Estimator {

    private static final double GIB = 1024.0 * 1024 * 1024;
    /** CUDA context, NCCL communicators and allocator buffers: a typical observed overhead per GPU, not a derived figure. */
    static final double RUNTIME_BYTES = 2 * GIB;
    /** Memory kept free against fragmentation. */
    static final double USABLE_SHARE = 0.95;
    /** Host-device copies for offloading, GB/s: below PCIe 4.0 x16's 31.5 GB/s, as pinned copies reach in practice. */
    static final double HOST_LINK_GBPS = 25;
    /** bf16/fp16 bytes per activation, weight or gradient element on the wire. */
    private static final double HALF = 2;

    private Estimator() {
    }

    /**
     * The estimate; the step time from {@code mfu} when one is stated, otherwise from a roofline of
     * compute and the communication that cannot hide behind it.
     */
    public static Estimate estimate(ModelSpec model, TrainingSetup setup, Cluster cluster, OptionalDouble mfu,
                                    Optional<Money> pricePerGpuHour) {
        Layout layout = layout(model, setup, cluster.gpus());
        // Training FLOPs per token: 6N for the matrix multiplications (2N forward, 4N backward), plus
        // 12·L·H·Q·T for attention (PaLM, Chowdhery et al. 2022, Appendix B), N the active parameters.
        double attentionPerToken = 12.0 * model.layers() * model.heads() * model.headDim() * setup.seq();
        double flopsPerToken = 6.0 * model.activeParams() + attentionPerToken;
        double tokensPerStep = (double) setup.globalBatch() * setup.seq();
        double flopsPerStep = flopsPerToken * tokensPerStep;
        double totalFlops = flopsPerToken * setup.tokens();

        Estimate.MemoryBreakdown memory = memory(model, setup, cluster, layout);
        boolean fits = memory.total() <= memory.available();
        Optional<String> toFit = fits ? Optional.empty() : smallestChange(model, setup, cluster);

        double peak = cluster.gpu().peakTflops(setup.precision()).or(() -> cluster.gpu().peakTflops("bf16"))
                .orElseThrow(() -> new IllegalArgumentException(cluster.gpu().name() + " has no " + setup.precision()
                        + " figure in the GPU catalog")) * 1e12;
        List<Estimate.Communication> communication = communication(model, setup, cluster, layout);

        Estimate.StepTime time;
        double stepSeconds;
        if (mfu.isPresent()) {
            if (!(mfu.getAsDouble() > 0 && mfu.getAsDouble() <= 1)) {
                throw new IllegalArgumentException("MFU must be a share between 0 and 1, found " + mfu.getAsDouble());
            }
            stepSeconds = flopsPerStep / (cluster.gpus() * peak * mfu.getAsDouble());
            time = new Estimate.StepTime("mfu", Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        } else {
            time = roofline(model, setup, cluster, layout, flopsPerStep, attentionPerToken * tokensPerStep, peak,
                    communication);
            stepSeconds = time.computeSeconds() + time.bubbleSeconds() + time.exposedCommunicationSeconds();
        }
        double totalSeconds = stepSeconds * setup.tokens() / tokensPerStep;
        double gpuHours = totalSeconds / 3600 * cluster.gpus();
        Estimate.Parallelism parallelism = new Estimate.Parallelism(setup.tp(), setup.pp(), setup.cp(), setup.ep(),
                layout.dp(), setup.zero(), setup.microBatch(), layout.microBatches(),
                setup.recompute().name().toLowerCase(java.util.Locale.ROOT),
                setup.offload().name().toLowerCase(java.util.Locale.ROOT));
        return new Estimate(model.name(), cluster.gpu().name(), cluster.gpus(), model.totalParams(), model.activeParams(),
                parallelism, flopsPerToken, flopsPerStep, totalFlops, memory, fits, toFit, communication, time,
                stepSeconds, flopsPerStep / (cluster.gpus() * peak * stepSeconds), totalSeconds, gpuHours,
                pricePerGpuHour.map(p -> p.times(gpuHours)));
    }

    /** How the GPUs divide: data-parallel size and micro-batches each pipeline runs per step. */
    record Layout(int dp, int microBatches) {
    }

    static Layout layout(ModelSpec model, TrainingSetup setup, int gpus) {
        if (gpus % setup.modelParallel() != 0) {
            throw new IllegalArgumentException(gpus + " GPUs do not divide into TP " + setup.tp() + " x PP " + setup.pp()
                    + " x CP " + setup.cp());
        }
        int dp = gpus / setup.modelParallel();
        if (model.heads() % setup.tp() != 0) {
            throw new IllegalArgumentException(model.heads() + " attention heads do not split into TP " + setup.tp());
        }
        if (setup.pp() > model.layers()) {
            throw new IllegalArgumentException("PP " + setup.pp() + " is more stages than the model's " + model.layers()
                    + " layers");
        }
        if (setup.ep() > 1 && (!model.moe() || model.experts() % setup.ep() != 0 || dp % setup.ep() != 0)) {
            throw new IllegalArgumentException("EP " + setup.ep() + " needs a mixture-of-experts model whose experts ("
                    + model.experts() + ") and data-parallel size (" + dp + ") it divides");
        }
        if (setup.globalBatch() % ((long) dp * setup.microBatch()) != 0) {
            throw new IllegalArgumentException("global batch " + setup.globalBatch() + " does not split into DP " + dp
                    + " x micro batch " + setup.microBatch());
        }
        return new Layout(dp, setup.globalBatch() / (dp * setup.microBatch()));
    }

    /**
     * Bytes of weights, gradients and optimizer state for {@code params} parameters sharded {@code shards}
     * ways. Mixed-precision Adam keeps 2 bytes of weights and 2 of gradients per parameter and K = 12
     * of optimizer state (fp32 master weights, momentum, variance); ZeRO stage 1 shards the optimizer
     * state over data-parallel ranks, stage 2 the gradients too, stage 3 the weights (Rajbhandari et
     * al. 2020, "ZeRO", section 3 and Figure 1). SGD with momentum keeps K = 8.
     */
    static double[] modelStates(double params, String optimizer, int zero, int shards) {
        double k = optimizer.equals("sgd") ? 8 : 12;
        return new double[] {
            HALF * params / (zero >= 3 ? shards : 1),
            HALF * params / (zero >= 2 ? shards : 1),
            k * params / (zero >= 1 ? shards : 1)};
    }

    static Estimate.MemoryBreakdown memory(ModelSpec model, TrainingSetup setup, Cluster cluster, Layout layout) {
        // Expert weights are spread over the expert-parallel ranks; everything else over TP x PP.
        double expertParams = (double) model.routedExpertParams() / (setup.tp() * setup.pp() * setup.ep());
        double denseParams = (double) (model.totalParams() - model.routedExpertParams()) / (setup.tp() * setup.pp());
        // The optimizer shards over data- and context-parallel ranks together (as Megatron-Core's distributed
        // optimizer does); expert states only over the data-parallel ranks that hold the same experts.
        int shards = layout.dp() * setup.cp();
        double[] dense = modelStates(denseParams, setup.optimizer(), setup.zero(), shards);
        double[] expert = modelStates(expertParams, setup.optimizer(), setup.zero(), Math.max(1, shards / setup.ep()));
        double weights = dense[0] + expert[0];
        double gradients = dense[1] + expert[1];
        double optimizer = dense[2] + expert[2];
        // ZeRO-Offload keeps gradients and optimizer state in host memory and steps there (Ren et al. 2021,
        // section 4); ZeRO-Infinity with stage 3 moves the weights out too (Rajbhandari et al. 2021).
        if (setup.offload() != TrainingSetup.Offload.NONE) {
            gradients = 0;
            optimizer = 0;
        }
        if (setup.offload() == TrainingSetup.Offload.ALL) {
            weights = 0;
        }

        // Activations per layer with tensor and sequence parallelism: s·b·h·(34 + 5·a·s/h)/t bytes
        // (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models",
        // Table 2), s the sequence each context-parallel rank holds. FlashAttention never stores the
        // s x s scores, which removes the 5·a·s/h term; selective recomputation keeps 34·s·b·h/t, full
        // recomputation only each layer's input, 2·s·b·h/t. Mixture-of-experts layers are counted as dense.
        double s = (double) setup.seq() / setup.cp();
        double sbh = s * setup.microBatch() * model.hidden();
        double perLayer = switch (setup.recompute()) {
            case NONE -> sbh * (34 + (setup.flashAttention() ? 0 : 5.0 * model.heads() * s / model.hidden()))
                    / setup.tp();
            case SELECTIVE -> 34 * sbh / setup.tp();
            case FULL -> 2 * sbh / setup.tp();
        };
        // Under 1F1B the first stage holds up to p micro-batches of its L/p layers in flight
        // (Narayanan et al. 2021, section 2.2.1): L layers' worth when there are p or more micro-batches.
        double layersHeld = (double) model.layers() / setup.pp() * Math.min(setup.pp(), layout.microBatches());
        double activations = perLayer * layersHeld;
        // The last stage's logits in fp32 for the loss: 4·s·b·V/t bytes.
        double logits = 4.0 * s * setup.microBatch() * model.vocab() / setup.tp();
        return new Estimate.MemoryBreakdown(weights, gradients, optimizer, activations, logits, RUNTIME_BYTES,
                cluster.gpu().memoryGib() * GIB * USABLE_SHARE);
    }

    /**
     * Bytes each GPU sends per step, by parallel dimension. Ranks are laid out TP innermost, then CP,
     * EP within DP, then PP (Megatron-Core's tp-cp-ep-dp-pp order), so a group stays inside a node
     * while its span of consecutive ranks fits in one. A ring all-reduce of M bytes over n ranks sends
     * 2(n-1)/n·M per rank; all-gather and reduce-scatter (n-1)/n·M each (Patarasuk and Yuan 2009).
     */
    static List<Estimate.Communication> communication(ModelSpec model, TrainingSetup setup, Cluster cluster,
                                                      Layout layout) {
        List<Estimate.Communication> out = new ArrayList<>();
        int t = setup.tp();
        int m = layout.microBatches();
        double layersPerStage = (double) model.layers() / setup.pp();
        double s = (double) setup.seq() / setup.cp();
        double activation = HALF * s * setup.microBatch() * model.hidden(); // one layer's input, s·b·h
        if (t > 1) {
            // Megatron-LM: two all-reduces in each layer's forward pass and two in its backward (Shoeybi et
            // al. 2019, section 3); sequence parallelism turns each into an all-gather plus a reduce-scatter
            // of the same volume (Korthikanti et al. 2022, section 4.2.2). Full recomputation repeats the forward.
            int allReduces = setup.recompute() == TrainingSetup.Recompute.FULL ? 6 : 4;
            double bytes = allReduces * 2.0 * (t - 1) / t * activation * layersPerStage * m;
            out.add(transfer("tensor", "all-gather + reduce-scatter", bytes, cluster.link(t), false));
        }
        if (setup.cp() > 1) {
            // Ring attention passes each rank's K and V blocks round the ring: cp-1 hops forward, and twice that
            // in backward for K, V and their gradients (Liu et al. 2023, "Ring Attention"; Megatron-Core context parallel).
            double kv = 2 * HALF * s * setup.microBatch() * model.kvHeads() * model.headDim();
            double bytes = 3.0 * (setup.cp() - 1) * kv * layersPerStage * m;
            out.add(transfer("context", "ring send/recv", bytes, cluster.link(t * setup.cp()), false));
        }
        if (setup.ep() > 1) {
            // Each MoE layer dispatches every token to its top-k experts and combines the results, forward and
            // backward: four all-to-alls, (ep-1)/ep of the data leaving the rank (Lepikhin et al. 2020, GShard).
            double tokens = s * setup.microBatch() / t;
            double bytes = 4.0 * (setup.ep() - 1) / setup.ep() * tokens * model.topK() * model.hidden() * HALF
                    * model.moeLayers() / setup.pp() * m;
            out.add(transfer("expert", "all-to-all", bytes, cluster.link(t * setup.cp() * setup.ep()), false));
        }
        if (setup.pp() > 1) {
            // Each micro-batch's activations go forward and their gradients back, scattered over the TP ranks
            // (Narayanan et al. 2021, section 4.1).
            double bytes = 2.0 * activation / t * m;
            out.add(transfer("pipeline", "send/recv", bytes,
                    cluster.link(t * setup.cp() * layout.dp() * setup.pp()), false));
        }
        int shards = layout.dp() * setup.cp();
        if (shards > 1) {
            // Gradients are all-reduced (or reduce-scattered and the weights all-gathered: the same volume) once a
            // step; ZeRO-3 all-gathers the weights once more for backward: 1.5x (ZeRO, section 7).
            double params = (model.totalParams() - model.routedExpertParams()) / (double) (t * setup.pp())
                    + model.routedExpertParams() / (double) (t * setup.pp() * setup.ep());
            double factor = setup.zero() >= 3 ? 3 : 2;
            double bytes = factor * (shards - 1) / shards * HALF * params;
            out.add(transfer("data", setup.zero() >= 1 ? "reduce-scatter + all-gather" : "all-reduce", bytes,
                    cluster.link(t * shards), true));
        }
        if (setup.offload() != TrainingSetup.Offload.NONE) {
            // Gradients down to the host and the updated weights back up, once a step (ZeRO-Offload, section 4).
            double params = model.totalParams() / (double) (t * setup.pp() * shards);
            out.add(transfer("offload", "device <-> host copies", 2 * HALF * params,
                    new Cluster.Link("pcie", HOST_LINK_GBPS), false));
        }
        return out;
    }

    private static Estimate.Communication transfer(String dimension, String collective, double bytes, Cluster.Link link,
                                                   boolean overlapped) {
        return new Estimate.Communication(dimension, collective, bytes, link.name(), link.gbps(),
                bytes / (link.gbps() * 1e9), overlapped);
    }

    /**
     * Step time from a roofline: the GPU's FLOPs at its kernel efficiency (the catalog's) of peak, the pipeline
     * bubble of 1F1B, (p-1)/m of the compute (Narayanan et al. 2021, section 2.2.1), the tensor-, context-,
     * expert- and pipeline-parallel transfers on the critical path, and the data-parallel reduction only
     * where it outlasts the backward pass it overlaps (two thirds of the compute).
     */
    static Estimate.StepTime roofline(ModelSpec model, TrainingSetup setup, Cluster cluster, Layout layout,
                                      double flopsPerStep, double attentionFlopsPerStep, double peak,
                                      List<Estimate.Communication> communication) {
        // Recomputation adds FLOPs the model does not count: full recomputation one more forward pass, 8N
        // instead of 6N; selective only the attention core's forward (Korthikanti et al. 2022, section 5).
        double hardwareFlops = switch (setup.recompute()) {
            case NONE -> flopsPerStep;
            case SELECTIVE -> flopsPerStep + attentionFlopsPerStep / 3;
            case FULL -> flopsPerStep * 4 / 3;
        };
        double efficiency = cluster.gpu().kernelEfficiency();
        double compute = hardwareFlops / cluster.gpus() / (peak * efficiency);
        double bubble = compute * (setup.pp() - 1) / layout.microBatches();
        double exposed = 0;
        for (Estimate.Communication c : communication) {
            exposed += c.overlapped() ? Math.max(0, c.seconds() - compute * 2 / 3) : c.seconds();
        }
        return new Estimate.StepTime("roofline", efficiency, compute, bubble, exposed);
    }

    /** The first single change, cheapest first, after which the run fits. */
    static Optional<String> smallestChange(ModelSpec model, TrainingSetup setup, Cluster cluster) {
        List<Candidate> candidates = new ArrayList<>();
        if (setup.recompute() == TrainingSetup.Recompute.NONE) {
            candidates.add(new Candidate("selective activation recomputation", setup.withMemorySavers(
                    TrainingSetup.Recompute.SELECTIVE, setup.zero(), setup.microBatch(), setup.offload())));
        }
        if (setup.recompute() != TrainingSetup.Recompute.FULL) {
            candidates.add(new Candidate("full activation recomputation", setup.withMemorySavers(
                    TrainingSetup.Recompute.FULL, setup.zero(), setup.microBatch(), setup.offload())));
        }
        for (int zero = setup.zero() + 1; zero <= 3; zero++) {
            candidates.add(new Candidate("ZeRO stage " + zero,
                    setup.withMemorySavers(setup.recompute(), zero, setup.microBatch(), setup.offload())));
        }
        if (setup.microBatch() > 1) {
            candidates.add(new Candidate("micro batch 1",
                    setup.withMemorySavers(setup.recompute(), setup.zero(), 1, setup.offload())));
        }
        for (int tp = setup.tp() * 2; tp <= cluster.gpusPerNode() && model.heads() % tp == 0; tp *= 2) {
            candidates.add(new Candidate("tensor parallel " + tp, setup.withParallel(tp, setup.pp(), setup.cp(), setup.ep())));
        }
        for (int pp = setup.pp() * 2; pp <= model.layers(); pp *= 2) {
            candidates.add(new Candidate("pipeline parallel " + pp, setup.withParallel(setup.tp(), pp, setup.cp(), setup.ep())));
        }
        for (int ep = setup.ep() * 2; model.moe() && ep <= model.experts(); ep *= 2) {
            candidates.add(new Candidate("expert parallel " + ep, setup.withParallel(setup.tp(), setup.pp(), setup.cp(), ep)));
        }
        if (setup.offload() == TrainingSetup.Offload.NONE) {
            candidates.add(new Candidate("offload the optimizer to host memory",
                    setup.withMemorySavers(setup.recompute(), setup.zero(), setup.microBatch(), TrainingSetup.Offload.OPTIMIZER)));
        }
        for (Candidate candidate : candidates) {
            Layout layout;
            try {
                layout = layout(model, candidate.setup(), cluster.gpus());
            } catch (IllegalArgumentException doesNotDivide) {
                continue;
            }
            Estimate.MemoryBreakdown m = memory(model, candidate.setup(), cluster, layout);
            if (m.total() <= m.available()) {
                return Optional.of(candidate.change());
            }
        }
        return Optional.of(smallestCombination(model, setup, cluster)
                .map(combination -> "no single change fits; together these do: " + combination)
                .orElse("no combination of parallelism, ZeRO and recomputation fits: use more or larger GPUs"));
    }

    /**
     * The layout that fits with the fewest changes to {@code setup} (then the least model
     * parallelism), said as those changes: "tensor parallel 8 + pipeline parallel 4 + full activation
     * recomputation". Memory only, so it costs no estimate per layout.
     */
    private static Optional<String> smallestCombination(ModelSpec model, TrainingSetup setup, Cluster cluster) {
        List<String> best = null;
        int bestParallel = Integer.MAX_VALUE;
        for (int tp = setup.tp(); tp <= cluster.gpusPerNode() && model.heads() % tp == 0; tp *= 2) {
            for (int pp = setup.pp(); pp <= model.layers(); pp *= 2) {
                for (int ep = setup.ep(); ep <= (model.moe() ? model.experts() : setup.ep()); ep *= 2) {
                    for (int zero = setup.zero(); zero <= 3; zero++) {
                        for (TrainingSetup.Recompute recompute : TrainingSetup.Recompute.values()) {
                            if (recompute.ordinal() < setup.recompute().ordinal()) {
                                continue;
                            }
                            TrainingSetup candidate;
                            Layout layout;
                            try {
                                candidate = setup.withParallel(tp, pp, setup.cp(), ep)
                                        .withMemorySavers(recompute, zero, 1, setup.offload());
                                layout = layout(model, candidate, cluster.gpus());
                            } catch (IllegalArgumentException doesNotDivide) {
                                continue;
                            }
                            Estimate.MemoryBreakdown m = memory(model, candidate, cluster, layout);
                            if (m.total() > m.available()) {
                                continue;
                            }
                            List<String> changes = new ArrayList<>();
                            if (tp != setup.tp()) {
                                changes.add("tensor parallel " + tp);
                            }
                            if (pp != setup.pp()) {
                                changes.add("pipeline parallel " + pp);
                            }
                            if (ep != setup.ep()) {
                                changes.add("expert parallel " + ep);
                            }
                            if (zero != setup.zero()) {
                                changes.add("ZeRO stage " + zero);
                            }
                            if (recompute != setup.recompute()) {
                                changes.add(recompute.name().toLowerCase(java.util.Locale.ROOT) + " activation recomputation");
                            }
                            if (setup.microBatch() != 1) {
                                changes.add("micro batch 1");
                            }
                            int parallel = tp * pp * ep;
                            if (best == null || changes.size() < best.size()
                                    || changes.size() == best.size() && parallel < bestParallel) {
                                best = changes;
                                bestParallel = parallel;
                            }
                        }
                    }
                }
            }
        }
        return Optional.ofNullable(best).filter(changes -> !changes.isEmpty()).map(changes -> String.join(" + ", changes));
    }

    private record Candidate(String change, TrainingSetup setup) {
    }
}
