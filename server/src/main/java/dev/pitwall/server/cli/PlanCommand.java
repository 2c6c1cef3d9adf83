package dev.pitwall.server.cli;

import dev.pitwall.core.catalog.GpuCatalog;
import dev.pitwall.core.catalog.GpuSpec;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.json.Json;
import dev.pitwall.planner.compat.CompatibilityCheck;
import dev.pitwall.planner.estimate.Estimate;
import dev.pitwall.planner.estimate.Estimator;
import dev.pitwall.planner.estimate.ModelCatalog;
import dev.pitwall.planner.estimate.ModelSpec;
import dev.pitwall.planner.estimate.TrainingSetup;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "plan",
        description = "Plan training runs before they start: compute, memory and time.",
        mixinStandardHelpOptions = true,
        subcommands = {PlanCommand.EstimateCommand.class, PlanCommand.CompatCommand.class})
final class PlanCommand extends CommandGroup {

    @Command(name = "estimate",
            description = "FLOPs, per-GPU memory (and whether it fits, or the smallest change that makes it fit), "
                    + "step and total time, GPU-hours and cost of a training run.",
            mixinStandardHelpOptions = true)
    static final class EstimateCommand implements Callable<Integer> {

        private static final double GIB = 1024.0 * 1024 * 1024;

        @Spec
        CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "PRESET",
                description = "gpt3-175b, gpt3-13b, llama2-7b, llama2-70b, llama3-8b, llama3-70b, llama3.1-405b, "
                        + "qwen2.5-7b, mixtral-8x7b.")
        String model;

        @Option(names = "--gpu", defaultValue = "H100-SXM5-80GB", paramLabel = "NAME",
                description = "A GPU from the catalog (default: ${DEFAULT-VALUE}).")
        String gpu;

        @Option(names = "--gpus", required = true, paramLabel = "N", description = "GPUs in the run.")
        int gpus;

        @Option(names = "--tokens", defaultValue = "1e12", paramLabel = "N", description = "Tokens to train on (default: ${DEFAULT-VALUE}).")
        double tokens;

        @Option(names = "--seq", defaultValue = "4096", paramLabel = "N", description = "Sequence length (default: ${DEFAULT-VALUE}).")
        int seq;

        @Option(names = "--global-batch", defaultValue = "1024", paramLabel = "N",
                description = "Sequences per optimizer step (default: ${DEFAULT-VALUE}).")
        int globalBatch;

        @Option(names = "--micro-batch", defaultValue = "1", paramLabel = "N",
                description = "Sequences per pass on one GPU (default: ${DEFAULT-VALUE}).")
        int microBatch;

        @Option(names = "--precision", defaultValue = "bf16", paramLabel = "bf16|fp16|fp8", description = "(default: ${DEFAULT-VALUE})")
        String precision;

        @Option(names = "--tp", defaultValue = "1", description = "Tensor parallel size (default: ${DEFAULT-VALUE}).")
        int tp;

        @Option(names = "--pp", defaultValue = "1", description = "Pipeline parallel size (default: ${DEFAULT-VALUE}).")
        int pp;

        @Option(names = "--zero", defaultValue = "1", description = "ZeRO stage 0-3 (default: ${DEFAULT-VALUE}).")
        int zero;

        @Option(names = "--recompute", defaultValue = "selective", paramLabel = "none|selective|full",
                description = "Activation recomputation (default: ${DEFAULT-VALUE}).")
        String recompute;

        @Option(names = "--no-flash-attention", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Whether attention runs without storing its score matrix (default: on).")
        boolean flashAttention;

        @Option(names = "--mfu", defaultValue = "0.4", paramLabel = "SHARE",
                description = "Model FLOPs utilisation to assume (default: ${DEFAULT-VALUE}).")
        double mfu;

        @Option(names = "--price", paramLabel = "PER_GPU_HOUR", description = "Price of one GPU-hour, for the cost.")
        Double price;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|json", description = "(default: ${DEFAULT-VALUE})")
        String format;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ModelSpec spec1;
            GpuSpec gpuSpec;
            Estimate estimate;
            try {
                spec1 = ModelCatalog.builtIn().get(model);
                gpuSpec = GpuCatalog.builtIn().find(gpu).orElseThrow(() -> new ConfigException("no GPU " + gpu
                        + " in the catalog; known: " + String.join(", ", GpuCatalog.builtIn().all().stream()
                        .map(GpuSpec::name).toList())));
                TrainingSetup setup = new TrainingSetup(tokens, seq, globalBatch, microBatch, precision, zero, tp, pp,
                        TrainingSetup.Recompute.parse(recompute), flashAttention);
                estimate = Estimator.estimate(spec1, setup, gpuSpec, gpus, mfu, Optional.ofNullable(price));
            } catch (ConfigException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("pitwall plan estimate: " + e.getMessage());
                return PitwallCommand.EXIT_USAGE;
            }
            if (format.equals("json")) {
                out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(estimate));
                return 0;
            }
            Estimate.MemoryBreakdown m = estimate.memory();
            out.printf(Locale.ROOT, "%s on %d x %s (TP %d, PP %d, DP %d, ZeRO %d, %s recomputation)%n", spec1.name(), gpus,
                    gpuSpec.name(), tp, pp, estimate.dataParallel(), zero, recompute);
            out.printf(Locale.ROOT, "  parameters      %.2f B (%.2f B active)%n", estimate.totalParams() / 1e9,
                    estimate.activeParams() / 1e9);
            out.printf(Locale.ROOT, "  compute         %.3g FLOPs a token, %.3g a step, %.3g in all%n",
                    estimate.flopsPerToken(), estimate.flopsPerStep(), estimate.totalFlops());
            out.printf(Locale.ROOT, "  memory per GPU  %.1f GiB of %.1f usable: weights %.1f, gradients %.1f, optimizer %.1f, "
                            + "activations %.1f, logits %.1f, runtime %.1f%n", m.total() / GIB, m.available() / GIB,
                    m.weights() / GIB, m.gradients() / GIB, m.optimizer() / GIB, m.activations() / GIB, m.logits() / GIB,
                    m.runtime() / GIB);
            out.println("  fits            " + (estimate.fits() ? "yes" : "no; smallest change: " + estimate.toFit().orElse("")));
            out.printf(Locale.ROOT, "  time at %.0f%% MFU  %.2f s a step, %.1f h in all, %.0f GPU-hours%s%n", mfu * 100,
                    estimate.stepSeconds(), estimate.totalHours(), estimate.gpuHours(),
                    estimate.cost().map(c -> String.format(Locale.ROOT, ", cost %.0f", c)).orElse(""));
            out.flush();
            return 0;
        }
    }

    @Command(name = "compat",
            description = "Check a software stack against a GPU: precision against compute capability, driver against "
                    + "the CUDA toolkit, PyTorch build against CUDA. Exit 1 when something does not fit.",
            mixinStandardHelpOptions = true)
    static final class CompatCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--gpu", required = true, paramLabel = "NAME", description = "A GPU from the catalog, or as nvidia-smi names it.")
        String gpu;

        @Option(names = "--precision", paramLabel = "bf16|fp16|fp8|fp32") String precision;

        @Option(names = "--driver", paramLabel = "VERSION", description = "NVIDIA driver, e.g. 535.104.05.") String driver;

        @Option(names = "--cuda", paramLabel = "VERSION", description = "CUDA toolkit, e.g. 12.4.") String cuda;

        @Option(names = "--torch", paramLabel = "VERSION", description = "PyTorch, e.g. 2.3.1.") String torch;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Optional<GpuSpec> gpuSpec = GpuCatalog.builtIn().find(gpu);
            if (gpuSpec.isEmpty()) {
                spec.commandLine().getErr().println("pitwall plan compat: no GPU " + gpu + " in the catalog");
                return PitwallCommand.EXIT_USAGE;
            }
            var rows = CompatibilityCheck.builtIn().check(gpuSpec.get(), Optional.ofNullable(precision),
                    Optional.ofNullable(driver), Optional.ofNullable(cuda), Optional.ofNullable(torch));
            for (CompatibilityCheck.Row row : rows) {
                out.printf(Locale.ROOT, "%-4s %-34s found %s; needs %s%s%n", row.ok() ? "ok" : "FAIL", row.check(), row.found(),
                        row.needed(), row.ok() ? "" : "; fix: " + row.fix());
            }
            if (rows.isEmpty()) {
                out.println("nothing to check: give --precision, or --cuda with --driver or --torch");
            }
            out.flush();
            return rows.stream().allMatch(CompatibilityCheck.Row::ok) ? 0 : 1;
        }
    }
}
