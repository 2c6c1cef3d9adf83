package dev.pitwall.server.cli;

import dev.pitwall.core.catalog.GpuCatalog;
import dev.pitwall.core.catalog.GpuSpec;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.report.Document;
import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.planner.advise.AdviceReport;
import dev.pitwall.planner.advise.TrainingConfig;
import dev.pitwall.planner.advise.TuningAdvisor;
import dev.pitwall.planner.compare.CompareReport;
import dev.pitwall.planner.compare.RunComparison;
import dev.pitwall.planner.compare.RunMetrics;
import dev.pitwall.planner.compat.CompatibilityCheck;
import dev.pitwall.planner.estimate.Estimate;
import dev.pitwall.planner.estimate.EstimateReport;
import dev.pitwall.planner.estimate.Estimator;
import dev.pitwall.planner.estimate.ModelCatalog;
import dev.pitwall.planner.estimate.ModelSpec;
import dev.pitwall.planner.estimate.ParallelismSearch;
import dev.pitwall.planner.estimate.PlanSpec;
import dev.pitwall.planner.estimate.TrainingSetup;
import dev.pitwall.planner.profile.ProfileAnalysis;
import dev.pitwall.planner.profile.ProfileReport;
import dev.pitwall.planner.scan.MigrationScan;
import dev.pitwall.planner.scan.ScanReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "plan",
        description = "Plan training runs: estimates, parallel layouts, compatibility, migration risks, profiles, "
                + "run comparison, tuning advice and scheduling-policy simulation.",
        mixinStandardHelpOptions = true)
final class PlanCommand extends CommandGroup {

    PlanCommand() {
        super(List.of(EstimateCommand.class, SearchCommand.class, CompatCommand.class, ProfileCommand.class,
                CompareCommand.class, ScanCommand.class, AdviseCommand.class, ScheduleCommand.class));
    }

    /** The inputs of an estimate, as options; each one set overrides the same field of --spec. */
    static final class PlanOptions {

        @Option(names = "--spec", paramLabel = "FILE", description = "A YAML file with any of these options "
                + "(kebab-case keys, e.g. seq-len: 8192) and, for a model that is no preset, an architecture.")
        Path spec;

        @Option(names = "--model", paramLabel = "PRESET", description = "A model preset: ${COMPLETION-CANDIDATES}.",
                completionCandidates = ModelNames.class)
        String model;

        @Option(names = "--tokens", paramLabel = "N", description = "Tokens to train on: 2e12, 2T, 500B (default 1T).")
        String tokens;

        @Option(names = "--seq-len", paramLabel = "N", description = "Sequence length (default 4096).")
        Integer seqLen;

        @Option(names = "--global-batch", paramLabel = "N", description = "Sequences per optimizer step (default 1024).")
        Integer globalBatch;

        @Option(names = "--micro-batch", paramLabel = "N", description = "Sequences per pass on one GPU (default 1).")
        Integer microBatch;

        @Option(names = "--precision", paramLabel = "bf16|fp16|fp8", description = "(default bf16)")
        String precision;

        @Option(names = "--optimizer", paramLabel = "adam|sgd", description = "(default adam)")
        String optimizer;

        @Option(names = "--zero", paramLabel = "0-3", description = "ZeRO stage (default 1).")
        Integer zero;

        @Option(names = "--tp", paramLabel = "N", description = "Tensor parallel size (default 1).")
        Integer tp;

        @Option(names = "--pp", paramLabel = "N", description = "Pipeline parallel size (default 1).")
        Integer pp;

        @Option(names = "--dp", paramLabel = "N", description = "Data parallel size (default: GPUs / (TP x PP x CP)).")
        Integer dp;

        @Option(names = "--cp", paramLabel = "N", description = "Context parallel size (default 1).")
        Integer cp;

        @Option(names = "--ep", paramLabel = "N", description = "Expert parallel size, mixture-of-experts only (default 1).")
        Integer ep;

        @Option(names = "--recompute", paramLabel = "none|selective|full", description = "Activation recomputation (default selective).")
        String recompute;

        @Option(names = "--offload", paramLabel = "none|optimizer|all", description = "What lives in host memory (default none).")
        String offload;

        @Option(names = "--flash-attention", negatable = true, description = "Attention without storing its score matrix (default on).")
        Boolean flashAttention;

        @Option(names = "--gpu", paramLabel = "NAME", description = "A GPU from the catalog: ${COMPLETION-CANDIDATES} (default h100-sxm).",
                completionCandidates = GpuNames.class)
        String gpu;

        @Option(names = "--gpus", paramLabel = "N", description = "GPUs in the run (default: DP x TP x PP x CP, or 8).")
        Integer gpus;

        @Option(names = "--gpus-per-node", paramLabel = "N", description = "GPUs sharing the intra-node link (default 8).")
        Integer gpusPerNode;

        @Option(names = "--intra-node-bandwidth", paramLabel = "GB/s",
                description = "Per-GPU, one direction, inside a node (default: the GPU's NVLink, or PCIe 4.0).")
        Double intraNodeBandwidth;

        @Option(names = "--inter-node-bandwidth", paramLabel = "GB/s",
                description = "Per-GPU, one direction, between nodes (default 50, one 400 Gb/s NIC per GPU).")
        Double interNodeBandwidth;

        @Option(names = "--mfu", paramLabel = "SHARE", description = "Model FLOPs utilisation to assume, e.g. 0.4; "
                + "without it the step time comes from a roofline of compute and communication.")
        Double mfu;

        @Option(names = "--price-per-gpu-hour", paramLabel = "PRICE", description = "Price of one GPU-hour, for the cost.")
        Double pricePerGpuHour;

        @Option(names = "--currency", paramLabel = "CODE", description = "The price's currency: USD, EUR, CNY … (default USD).")
        String currency;

        PlanSpec.Resolved resolve() {
            return merged().resolve(ModelCatalog.builtIn(), GpuCatalog.builtIn());
        }

        /** --spec's file with the options given here over it. */
        PlanSpec merged() {
            PlanSpec fromFile = spec == null ? PlanSpec.EMPTY : PlanSpec.load(spec);
            return fromFile.with(new PlanSpec(model, null, tokens, seqLen, globalBatch, microBatch, precision, optimizer,
                    zero, tp, pp, dp, cp, ep, recompute, offload, flashAttention, gpu, gpus, gpusPerNode,
                    intraNodeBandwidth, interNodeBandwidth, mfu, pricePerGpuHour, currency));
        }
    }

    static final class ModelNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return ModelCatalog.builtIn().all().stream().map(ModelSpec::name).iterator();
        }
    }

    static final class GpuNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return GpuCatalog.builtIn().all().stream().map(GpuSpec::name).iterator();
        }
    }

    /** Writes {@code json} or the document in the chosen format. */
    static int print(CommandSpec spec, OutputFormat format, Object json, Document document) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (format == OutputFormat.JSON) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } else {
            out.print(DocumentWriter.write(document, format.id()));
        }
        out.flush();
        return 0;
    }

    @Command(name = "estimate",
            description = "FLOPs, per-GPU memory (and whether it fits, or the smallest change that makes it fit), "
                    + "communication per parallel dimension, step and total time, GPU-hours and cost of a training run.",
            mixinStandardHelpOptions = true)
    static final class EstimateCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        PlanOptions options = new PlanOptions();

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            Estimate estimate;
            Optional<ParallelismSearch.Result> searched = Optional.empty();
            try {
                PlanSpec merged = options.merged();
                PlanSpec.Resolved r = merged.resolve(ModelCatalog.builtIn(), GpuCatalog.builtIn());
                TrainingSetup setup = r.setup();
                if (merged.gpus() != null && !merged.layoutGiven()) {
                    // GPUs alone: the layout is the search's best, not DP over all of them (which rarely divides).
                    ParallelismSearch.Result result = ParallelismSearch.search(r.model(), setup, r.cluster(), 1);
                    if (result.best().isEmpty()) {
                        return PitwallCommand.usageError(spec, "no layout of " + r.model().name() + " fits on "
                                + r.cluster().gpus() + " x " + r.cluster().gpu().name() + " (" + result.considered()
                                + " tried): add GPUs, or try a GPU with more memory");
                    }
                    searched = Optional.of(result);
                    setup = result.best().getFirst().setup();
                }
                estimate = Estimator.estimate(r.model(), setup, r.cluster(), r.mfu(), r.pricePerGpuHour());
            } catch (ConfigException | IllegalArgumentException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            Estimate shown = estimate;
            return print(spec, format, estimate, searched.map(result -> EstimateReport.of(shown, result))
                    .orElseGet(() -> EstimateReport.of(shown)));
        }
    }

    @Command(name = "search",
            description = "Try every TP / PP / CP / EP / ZeRO / recomputation / micro-batch layout of a model on the "
                    + "GPUs, keep those that fit, rank them by throughput and explain the best.",
            mixinStandardHelpOptions = true)
    static final class SearchCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        PlanOptions options = new PlanOptions();

        @Option(names = "--top", defaultValue = "5", paramLabel = "N", description = "Layouts to show (default: ${DEFAULT-VALUE}).")
        int top;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            PlanSpec.Resolved r;
            ParallelismSearch.Result result;
            try {
                r = options.resolve();
                result = ParallelismSearch.search(r.model(), r.setup(), r.cluster(), top);
            } catch (ConfigException | IllegalArgumentException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            print(spec, format, result, EstimateReport.of(result, r.model(), r.cluster()));
            return result.best().isEmpty() ? 1 : 0;
        }
    }

    @Command(name = "profile",
            description = "Analyse PyTorch profiler traces (Chrome trace JSON, plain or .gz; a file or a folder with one per "
                    + "rank): time breakdown, idle causes, communication overlap, top kernels, stragglers, bottleneck.",
            mixinStandardHelpOptions = true)
    static final class ProfileCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "TRACE", description = "A trace file or a folder of them.")
        Path trace;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            ProfileAnalysis analysis;
            try {
                analysis = ProfileAnalysis.of(trace);
            } catch (IllegalArgumentException | IOException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            return print(spec, format, analysis, ProfileReport.of(analysis));
        }
    }

    @Command(name = "compare",
            description = "Align two runs' metrics by step (CSV, TensorBoard CSV, JSON lines, or Megatron-LM/DeepSpeed "
                    + "logs) and say whether they are equivalent within a tolerance or from which step they diverge. "
                    + "Exit 0 equivalent, 1 diverges, 2 could not compare.",
            mixinStandardHelpOptions = true)
    static final class CompareCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "BASELINE", description = "The reference run's metrics.")
        Path baseline;

        @Parameters(index = "1", paramLabel = "CANDIDATE", description = "The run to check against it.")
        Path candidate;

        @Option(names = "--metric", defaultValue = "loss", paramLabel = "NAME",
                description = "The metric to compare (default: ${DEFAULT-VALUE}; also finds \"lm loss\", train/loss, TensorBoard's Value).")
        String metric;

        @Option(names = "--tolerance", defaultValue = "0.02", paramLabel = "SHARE",
                description = "Largest relative difference still equal (default: ${DEFAULT-VALUE}).")
        double tolerance;

        @Option(names = "--window", defaultValue = "10", paramLabel = "STEPS",
                description = "Trailing mean over this many aligned steps before comparing (default: ${DEFAULT-VALUE}).")
        int window;

        @Option(names = "--patience", defaultValue = "3", paramLabel = "STEPS",
                description = "Steps a difference must last to count as divergence (default: ${DEFAULT-VALUE}).")
        int patience;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            RunComparison comparison;
            List<String> problems = new java.util.ArrayList<>();
            try {
                RunMetrics a = RunMetrics.read(baseline);
                RunMetrics b = RunMetrics.read(candidate);
                a.problems().forEach(p -> problems.add(baseline + " " + p));
                b.problems().forEach(p -> problems.add(candidate + " " + p));
                comparison = RunComparison.of(metric, a, b, tolerance, window, patience);
            } catch (IllegalArgumentException | IOException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            print(spec, format, comparison, CompareReport.of(comparison, problems));
            return comparison.equivalent() ? 0 : 1;
        }
    }

    @Command(name = "scan",
            description = "Scan a training code repository for migration risks: custom CUDA/C++ extensions, vendor "
                    + "libraries, device-specific assumptions, pinned versions, private package indexes. "
                    + "Exit 0 runs directly, 1 needs adaptation or is at risk, 2 could not scan.",
            mixinStandardHelpOptions = true)
    static final class ScanCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "The repository (or one file).")
        Path path;

        @Option(names = "--rules", paramLabel = "FILE", description = "More rules, or shipped ones replaced by id (YAML, the shape of planner/scan-rules.yaml).")
        Path rules;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            MigrationScan.Result result;
            try {
                result = (rules == null ? MigrationScan.builtIn() : MigrationScan.with(rules)).scan(path);
            } catch (ConfigException | IllegalArgumentException | IOException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            print(spec, format, result, ScanReport.of(result));
            return result.findings().isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "advise",
            description = "Tuning advice, each with its evidence and expected gain, from an estimate (give the model and "
                    + "layout as for estimate), a profile (--profile) and the job's training config (--config: Hugging Face "
                    + "TrainingArguments, DeepSpeed config, or YAML).",
            mixinStandardHelpOptions = true)
    static final class AdviseCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        PlanOptions options = new PlanOptions();

        @Option(names = "--profile", paramLabel = "TRACE", description = "A PyTorch profiler trace, or a folder of them.")
        Path profile;

        @Option(names = "--config", paramLabel = "FILE", description = "The job's training configuration (JSON or YAML).")
        Path config;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            List<TuningAdvisor.Advice> advice;
            List<String> inputs = new java.util.ArrayList<>();
            try {
                boolean planned = options.model != null || options.spec != null;
                if (!planned && profile == null && config == null) {
                    throw new IllegalArgumentException("give something to advise on: --model (with the layout), --profile TRACE "
                            + "or --config FILE");
                }
                Optional<Estimate> estimate = Optional.empty();
                Optional<ParallelismSearch.Result> search = Optional.empty();
                if (planned) {
                    PlanSpec.Resolved r = options.resolve();
                    // Advice compares layouts on the roofline, whatever MFU was stated.
                    estimate = Optional.of(Estimator.estimate(r.model(), r.setup(), r.cluster(), java.util.OptionalDouble.empty(),
                            r.pricePerGpuHour()));
                    search = Optional.of(ParallelismSearch.search(r.model(), r.setup(), r.cluster(), 1));
                    inputs.add("the estimate of " + r.model().name() + " on " + r.cluster().gpus() + " x " + r.cluster().gpu().name());
                }
                Optional<ProfileAnalysis> analysis = Optional.empty();
                if (profile != null) {
                    analysis = Optional.of(ProfileAnalysis.of(profile));
                    inputs.add("the profile " + profile);
                }
                Optional<TrainingConfig> training = Optional.empty();
                if (config != null) {
                    training = Optional.of(TrainingConfig.read(config));
                    inputs.add("the config " + config);
                }
                advice = TuningAdvisor.advise(estimate, search, analysis, training);
            } catch (ConfigException | IllegalArgumentException | IOException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            return print(spec, format, java.util.Map.of("advice", advice), AdviceReport.of(advice, String.join(", ", inputs)));
        }
    }

    @Command(name = "compat",
            description = "Check a software stack against a GPU: precision against compute capability, driver against "
                    + "the CUDA toolkit, PyTorch build against CUDA, NCCL against the precision. Exit 1 when something does not fit.",
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

        @Option(names = "--nccl", paramLabel = "VERSION", description = "NCCL, e.g. 2.18.1 (checked against --precision).") String nccl;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            Optional<GpuSpec> gpuSpec = GpuCatalog.builtIn().find(gpu);
            if (gpuSpec.isEmpty()) {
                return PitwallCommand.usageError(spec, "no GPU " + gpu + " in the catalog");
            }
            try {
            } catch (IllegalArgumentException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            var rows = CompatibilityCheck.builtIn().check(gpuSpec.get(), Optional.ofNullable(precision),
                    Optional.ofNullable(driver), Optional.ofNullable(cuda), Optional.ofNullable(torch), Optional.ofNullable(nccl));
            Document.Section table = rows.isEmpty()
                    ? new Document.Note("Nothing to check", "give --precision (with --nccl), or --cuda with --driver or --torch")
                    : new Document.Table("Checks", List.of("verdict", "check", "found", "needs", "fix"), rows.stream()
                    .map(r -> List.of(r.ok() ? "ok" : "FAIL", r.check(), r.found(), r.needed(), r.ok() ? "" : r.fix()))
                    .toList());
            boolean ok = rows.stream().allMatch(CompatibilityCheck.Row::ok);
            print(spec, format, rows, new Document("Compatibility on " + gpuSpec.get().name(),
                    ok ? "Everything checked fits." : "Something does not fit: see the fix for each failure.", List.of(table)));
            return ok ? 0 : 1;
        }
    }
}
