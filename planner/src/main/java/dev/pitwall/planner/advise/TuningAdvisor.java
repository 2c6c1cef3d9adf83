package dev.pitwall.planner.advise;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pitwall.planner.estimate.Estimate;
import dev.pitwall.planner.estimate.EstimateReport;
import dev.pitwall.planner.estimate.ParallelismSearch;
import dev.pitwall.planner.profile.ProfileAnalysis;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Tuning advice from whatever is known about a run: its estimate and the best layouts the search
 * found, a profile, and its training configuration. Each piece of advice carries the evidence that
 * triggered it and the gain to expect, as a share of step time where it can be bounded.
 */
public final class TuningAdvisor {

    /** Below this share of step time a fix is not worth a change to a running job. */
    private static final double WORTH_PCT = 3;

    private TuningAdvisor() {
    }

    /**
     * @param gainPct the most step time it can save, in percent; null where no bound can be given
     */
    public record Advice(@JsonProperty("area") String area, @JsonProperty("advice") String advice,
                         @JsonProperty("evidence") String evidence, @JsonProperty("expected_gain") String expectedGain,
                         @JsonProperty("gain_pct") Double gainPct) {
    }

    public static List<Advice> advise(Optional<Estimate> estimate, Optional<ParallelismSearch.Result> search,
                                      Optional<ProfileAnalysis> profile, Optional<TrainingConfig> config) {
        List<Advice> out = new ArrayList<>();
        profile.ifPresent(p -> fromProfile(p, config, out));
        config.ifPresent(c -> fromConfig(c, profile, out));
        estimate.ifPresent(e -> fromEstimate(e, search, out));
        // Largest bounded gain first; advice without a bound after.
        out.sort(Comparator.comparingDouble((Advice a) -> a.gainPct() == null ? -1 : a.gainPct()).reversed());
        return out;
    }

    private static void fromProfile(ProfileAnalysis p, Optional<TrainingConfig> config, List<Advice> out) {
        double data = p.idle().dataLoadingPct();
        if (data >= WORTH_PCT) {
            String workers = config.flatMap(TrainingConfig::dataloaderWorkers).map(w -> " (now " + w + ")").orElse("");
            out.add(new Advice("data loading", "raise DataLoader num_workers" + workers
                    + ", set pin_memory=True and prefetch_factor 2-4 so batches are ready before the GPU asks",
                    pct(data) + " of GPU time is idle while the data loader runs (profile)",
                    "up to " + pct(data) + " of step time", data));
        }
        double host = p.idle().hostWaitPct();
        if (p.bottleneck().equals("launch-bound") || host >= 20) {
            out.add(new Advice("kernel launches", "capture the step with CUDA graphs (torch.compile mode=\"reduce-overhead\") "
                    + "or raise the micro-batch so each kernel does more work",
                    pct(host) + " of GPU time is idle waiting on the host to launch work (profile)",
                    "up to " + pct(host) + " of step time", host));
        }
        double sync = p.idle().synchronizationPct();
        if (sync >= WORTH_PCT) {
            out.add(new Advice("synchronisation", "remove host synchronisation from the step: .item(), .cpu(), print of "
                    + "tensors, torch.cuda.synchronize(); log losses every N steps",
                    pct(sync) + " of GPU time is idle while the host synchronises (profile)",
                    "up to " + pct(sync) + " of step time", sync));
        }
        double exposed = p.breakdown().communicationPct();
        if (exposed >= 10) {
            out.add(new Advice("communication overlap", "overlap gradient reduction with backward (DDP bucket_cap_mb, "
                    + "Megatron --overlap-grad-reduce, FSDP backward prefetch), or accumulate more micro-batches per "
                    + "optimizer step so the reduction happens less often",
                    String.format(Locale.ROOT, "%s of GPU time is communication no computation hides; only %.0f%% of it "
                            + "overlaps (profile)", pct(exposed), p.overlapPct()),
                    "up to " + pct(exposed) + " of step time", exposed));
        }
        double matmulShare = p.ranks().stream().mapToDouble(r -> r.matmulSharePct()).average().orElse(100);
        double elementwise = p.breakdown().computationPct() * (100 - matmulShare) / 100;
        boolean compiled = config.flatMap(TrainingConfig::torchCompile).orElse(false);
        if (!compiled && elementwise >= 15) {
            // Fusion removes memory round trips of element-wise chains; half of their time is a cautious bound.
            out.add(new Advice("kernel fusion", "wrap the model in torch.compile to fuse element-wise and normalisation "
                    + "kernels", String.format(Locale.ROOT, "%s of GPU time in non-matmul kernels (matmul is %.0f%% of kernel "
                    + "time) (profile)", pct(elementwise), matmulShare),
                    "about " + pct(elementwise / 2) + " of step time if fusion halves those kernels", elementwise / 2));
        }
        if (!p.stragglers().isEmpty()) {
            out.add(new Advice("stragglers", "check the slow ranks' GPUs and nodes (clocks, thermals, PCIe/NVLink, "
                    + "`pitwall check run --plan quick` on their nodes); every other rank waits for them",
                    "ranks " + String.join(", ", p.stragglers().stream().map(s -> String.valueOf(s.rank())).toList())
                            + " compute more than 10% longer than the median rank (profile)",
                    String.format(Locale.ROOT, "up to %.0f%% of step time on every rank", p.stragglers().stream()
                            .mapToDouble(ProfileAnalysis.Straggler::slowerPct).max().orElse(0)), null));
        }
    }

    private static void fromConfig(TrainingConfig c, Optional<ProfileAnalysis> profile, List<Advice> out) {
        // Where a profile is given it decides whether input and fusion matter; the config alone only hints.
        if (profile.isEmpty() && (c.dataloaderWorkers().map(w -> w < 2).orElse(false) || c.pinMemory().map(p -> !p).orElse(false))) {
            out.add(new Advice("data loading", "use several DataLoader workers (4-8 per GPU is common) and pin_memory=True",
                    "configured with " + c.dataloaderWorkers().map(w -> w + " workers").orElse("default workers")
                            + c.pinMemory().map(p -> p ? ", pinned memory" : ", unpinned memory").orElse("") + " (config)",
                    "removes input stalls where the profile shows them; run `pitwall plan profile` to size the gain", null));
        }
        c.precision().filter(p -> p.equals("fp32") || p.equals("tf32")).ifPresent(p -> out.add(new Advice("mixed precision",
                "train with bf16 autocast (torch.autocast(\"cuda\", dtype=torch.bfloat16)) and fp32 master weights",
                "the job trains in " + p + " (config)",
                "matrix multiplications run at up to 2x (tf32) or 16x (fp32) the throughput on tensor cores of A100/H100 "
                        + "(NVIDIA datasheets)", null)));
        if (profile.isEmpty() && c.torchCompile().map(compile -> !compile).orElse(false)) {
            out.add(new Advice("kernel fusion", "try torch.compile on the model", "torch.compile is off (config)",
                    "the share of element-wise kernels it can fuse; run with --profile to size it", null));
        }
        if (c.checkpointIntervalSteps().isPresent() && c.checkpointSeconds().isPresent() && c.stepSeconds().isPresent()
                && !c.asyncCheckpoint().orElse(false)) {
            double share = 100 * c.checkpointSeconds().get()
                    / (c.checkpointIntervalSteps().get() * c.stepSeconds().get() + c.checkpointSeconds().get());
            if (share >= 1) {
                out.add(new Advice("checkpointing", "save checkpoints asynchronously (torch.distributed.checkpoint.async_save, "
                        + "Megatron --async-save) so training goes on while they are written",
                        String.format(Locale.ROOT, "each %.0f s checkpoint every %d steps of %.1f s blocks training (config)",
                                c.checkpointSeconds().get(), c.checkpointIntervalSteps().get(), c.stepSeconds().get()),
                        "about " + pct(share) + " of wall time", share));
            }
        }
    }

    private static void fromEstimate(Estimate e, Optional<ParallelismSearch.Result> search, List<Advice> out) {
        if (!e.fits()) {
            out.add(new Advice("memory", "the run does not fit: " + e.toFit().orElse("change the layout"),
                    String.format(Locale.ROOT, "%.1f GiB needed per GPU, %.1f usable (estimate)", e.memory().total() / (1 << 30),
                            e.memory().available() / (1 << 30)), "the run can start", null));
        }
        search.flatMap(s -> s.best().stream().findFirst()).ifPresent(best -> {
            double gain = 100 * (1 - best.estimate().stepSeconds() / e.stepSeconds());
            if (e.fits() && gain >= WORTH_PCT) {
                out.add(new Advice("parallelism", "change the layout to " + EstimateReport.layout(best.estimate().parallelism()),
                        String.format(Locale.ROOT, "roofline step %.2f s against %.2f s for the current layout; %s (search)",
                                best.estimate().stepSeconds(), e.stepSeconds(), best.why()),
                        "about " + pct(gain) + " of step time", gain));
            }
        });
        Estimate.StepTime t = e.time();
        if (!t.method().equals("mfu") && t.bubbleSeconds() / e.stepSeconds() * 100 >= 10) {
            double bubble = 100 * t.bubbleSeconds() / e.stepSeconds();
            out.add(new Advice("pipeline bubble", "raise the number of micro-batches per step (larger global batch or "
                    + "smaller micro batch) or use an interleaved pipeline schedule (Megatron --num-layers-per-virtual-pipeline-stage)",
                    String.format(Locale.ROOT, "the 1F1B bubble is %s of the step with PP %d and %d micro-batches (estimate)",
                            pct(bubble), e.parallelism().pp(), e.parallelism().microBatchesPerStep()),
                    "up to " + pct(bubble) + " of step time", bubble));
        }
    }

    private static String pct(double value) {
        return String.format(Locale.ROOT, "%.1f%%", value);
    }
}
