package dev.pitwall.planner.estimate;

import dev.pitwall.core.catalog.GpuCatalog;
import dev.pitwall.core.catalog.GpuSpec;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.config.ConfigLoader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything an estimate needs, as a YAML file ({@code --spec}) or command-line options give it;
 * every field but the model may be left out. {@code model} names a preset; {@code architecture}
 * describes a model that is not one.
 */
public record PlanSpec(String model, ModelSpec architecture, String tokens, Integer seqLen, Integer globalBatch,
                       Integer microBatch, String precision, String optimizer, Integer zero, Integer tp, Integer pp,
                       Integer dp, Integer cp, Integer ep, String recompute, String offload, Boolean flashAttention,
                       String gpu, Integer gpus, Integer gpusPerNode, Double intraNodeBandwidth, Double interNodeBandwidth,
                       Double mfu, Double pricePerGpuHour, String currency) {

    public static final PlanSpec EMPTY = new PlanSpec(null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    /** What the parts resolve to. */
    public record Resolved(ModelSpec model, TrainingSetup setup, Cluster cluster, OptionalDouble mfu,
                           Optional<Money> pricePerGpuHour) {
    }

    private static final Pattern COUNT = Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?(?:e[0-9]+)?)\\s*([kmbt]?)\\s*");

    public static PlanSpec load(Path file) {
        return new ConfigLoader<>(PlanSpec.class, EMPTY).load(Optional.of(file), Map.of());
    }

    /** Whether any part of the layout is set: parallel sizes, ZeRO stage, micro batch or recomputation. */
    public boolean layoutGiven() {
        return tp != null || pp != null || dp != null || cp != null || ep != null || zero != null || microBatch != null
                || recompute != null;
    }

    /** This spec with every field {@code overrides} sets replaced. */
    public PlanSpec with(PlanSpec overrides) {
        return new PlanSpec(or(overrides.model, model), or(overrides.architecture, architecture), or(overrides.tokens, tokens),
                or(overrides.seqLen, seqLen), or(overrides.globalBatch, globalBatch), or(overrides.microBatch, microBatch),
                or(overrides.precision, precision), or(overrides.optimizer, optimizer), or(overrides.zero, zero),
                or(overrides.tp, tp), or(overrides.pp, pp), or(overrides.dp, dp), or(overrides.cp, cp), or(overrides.ep, ep),
                or(overrides.recompute, recompute), or(overrides.offload, offload),
                or(overrides.flashAttention, flashAttention), or(overrides.gpu, gpu), or(overrides.gpus, gpus),
                or(overrides.gpusPerNode, gpusPerNode), or(overrides.intraNodeBandwidth, intraNodeBandwidth),
                or(overrides.interNodeBandwidth, interNodeBandwidth), or(overrides.mfu, mfu),
                or(overrides.pricePerGpuHour, pricePerGpuHour), or(overrides.currency, currency));
    }

    /** The model, setup and cluster, with defaults for everything left out but the model. */
    public Resolved resolve(ModelCatalog models, GpuCatalog gpuCatalog) {
        ModelSpec modelSpec;
        if (architecture != null) {
            modelSpec = architecture;
        } else if (model != null) {
            modelSpec = models.get(model);
        } else {
            throw new ConfigException("say which model: --model PRESET (" + String.join(", ",
                    models.all().stream().map(ModelSpec::name).toList()) + "), or an architecture in --spec FILE");
        }
        String gpuName = or(gpu, "h100-sxm");
        GpuSpec gpuSpec = gpuCatalog.find(gpuName).orElseThrow(() -> new ConfigException("no GPU " + gpuName
                + " in the catalog; known: " + String.join(", ", gpuCatalog.all().stream().map(GpuSpec::name).toList())));
        TrainingSetup setup = new TrainingSetup(parseCount(or(tokens, "1T")), or(seqLen, 4096), or(globalBatch, 1024),
                or(microBatch, 1), or(precision, "bf16"), or(optimizer, "adam"), or(zero, 1), or(tp, 1), or(pp, 1),
                or(cp, 1), or(ep, 1), TrainingSetup.Recompute.parse(or(recompute, "selective")),
                TrainingSetup.Offload.parse(or(offload, "none")), or(flashAttention, true));
        int gpuCount;
        if (gpus != null) {
            gpuCount = gpus;
            if (dp != null && dp * setup.modelParallel() != gpus) {
                throw new IllegalArgumentException("DP " + dp + " x TP " + setup.tp() + " x PP " + setup.pp() + " x CP "
                        + setup.cp() + " is " + dp * setup.modelParallel() + " GPUs, not the " + gpus + " given");
            }
        } else {
            gpuCount = or(dp, Math.max(1, 8 / setup.modelParallel())) * setup.modelParallel();
        }
        Cluster cluster = Cluster.of(gpuSpec, gpuCount);
        cluster = cluster.withLinks(or(gpusPerNode, cluster.gpusPerNode()), or(intraNodeBandwidth, cluster.intraNodeGBps()),
                or(interNodeBandwidth, cluster.interNodeGBps()));
        return new Resolved(modelSpec, setup, cluster, mfu == null ? OptionalDouble.empty() : OptionalDouble.of(mfu),
                Optional.ofNullable(pricePerGpuHour).map(p -> new Money(p, or(currency, Money.DEFAULT_CURRENCY))));
    }

    /** A count as people write it: 2e12, 2T, 500B, 1.5t, 300M, 12k. */
    public static double parseCount(String text) {
        Matcher m = COUNT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a count; write it as 2e12, 2T, 500B or 300M");
        }
        double scale = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1e3;
            case "m" -> 1e6;
            case "b" -> 1e9;
            case "t" -> 1e12;
            default -> 1;
        };
        return new BigDecimal(m.group(1)).doubleValue() * scale;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
