package dev.pitwall.planner.estimate;

import dev.pitwall.core.report.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Lays out an estimate and a parallelism search as documents. */
public final class EstimateReport {

    private static final double GIB = 1024.0 * 1024 * 1024;

    private EstimateReport() {
    }

    /** The estimate of the layout a search chose, saying so first. */
    public static Document of(Estimate e, ParallelismSearch.Result chosenFrom) {
        Document plain = of(e);
        List<Document.Section> sections = new ArrayList<>();
        sections.add(new Document.Note("Layout", "no layout was given, so this is the best of the " + chosenFrom.fitting()
                + " layouts that fit (of " + chosenFrom.considered() + " tried): " + layout(e.parallelism())
                + ". plan search lists the runners-up; --tp, --pp, --dp, --zero, --micro-batch or --recompute estimate another."));
        sections.addAll(plain.sections());
        return new Document(plain.title(), plain.lead(), sections);
    }

    public static Document of(Estimate e) {
        Estimate.Parallelism p = e.parallelism();
        List<Document.Fact> summary = new ArrayList<>(List.of(
                new Document.Fact("parameters", String.format(Locale.ROOT, "%.2f B (%.2f B active)", e.totalParams() / 1e9,
                        e.activeParams() / 1e9)),
                new Document.Fact("layout", layout(p)),
                new Document.Fact("compute", String.format(Locale.ROOT, "%.3g FLOPs a token, %.3g a step, %.3g in all",
                        e.flopsPerToken(), e.flopsPerStep(), e.totalFlops())),
                new Document.Fact("memory per GPU", String.format(Locale.ROOT, "%.1f GiB of %.1f usable",
                        e.memory().total() / GIB, e.memory().available() / GIB)),
                new Document.Fact("fits", e.fits() ? "yes" : "no; smallest change: " + e.toFit().orElse("")),
                new Document.Fact("step time", String.format(Locale.ROOT, "%.2f s (%s, MFU %.0f%%)", e.stepSeconds(),
                        e.time().method().equals("mfu") ? "from the stated MFU" : String.format(Locale.ROOT,
                                "roofline with kernels at %.0f%% of %s's peak", e.time().kernelEfficiency() * 100, e.gpu()),
                        e.mfu() * 100)),
                new Document.Fact("total time", String.format(Locale.ROOT, "%.1f h (%.1f days)", e.totalHours(),
                        e.totalHours() / 24)),
                new Document.Fact("GPU-hours", String.format(Locale.ROOT, "%,.0f", e.gpuHours()))));
        e.cost().ifPresent(c -> summary.add(new Document.Fact("cost", c.toString())));

        Estimate.MemoryBreakdown m = e.memory();
        List<Document.Bar> memory = List.of(bar("weights", m.weights()), bar("gradients", m.gradients()),
                bar("optimizer states", m.optimizer()), bar("activations", m.activations()), bar("logits", m.logits()),
                bar("runtime and buffers", m.runtime()), bar("usable", m.available()));

        List<Document.Section> sections = new ArrayList<>();
        sections.add(new Document.Facts("Summary", summary));
        sections.add(new Document.Bars("Memory per GPU", memory));
        if (!e.time().method().equals("mfu")) {
            sections.add(new Document.Bars("Step time", List.of(
                    seconds("compute", e.time().computeSeconds()), seconds("pipeline bubble", e.time().bubbleSeconds()),
                    seconds("exposed communication", e.time().exposedCommunicationSeconds()))));
        }
        List<List<String>> rows = e.communication().stream().map(c -> List.of(c.dimension(), c.collective(),
                String.format(Locale.ROOT, "%.2f GiB", c.bytesPerStep() / GIB),
                String.format(Locale.ROOT, "%s, %.0f GB/s", c.link(), c.linkGBps()),
                String.format(Locale.ROOT, "%.0f ms", c.seconds() * 1000), c.overlapped() ? "overlaps backward" : "on the critical path"))
                .toList();
        sections.add(rows.isEmpty() ? new Document.Note("Communication per step", "none: one GPU holds the whole model and there is no data parallelism")
                : new Document.Table("Communication per step, per GPU", List.of("dimension", "collective", "volume", "link",
                "time", "overlap"), rows));
        return new Document(e.model() + " on " + e.gpus() + " x " + e.gpu(), "Training estimate", sections);
    }

    public static Document of(ParallelismSearch.Result result, ModelSpec model, Cluster cluster) {
        List<List<String>> rows = result.best().stream().map(c -> List.of(String.valueOf(c.rank()),
                layout(c.estimate().parallelism()),
                String.format(Locale.ROOT, "%.0f", c.tokensPerSecond()),
                String.format(Locale.ROOT, "%.2f s", c.estimate().stepSeconds()),
                String.format(Locale.ROOT, "%.0f%%", c.estimate().mfu() * 100),
                String.format(Locale.ROOT, "%.1f GiB", c.estimate().memory().total() / GIB))).toList();
        List<Document.Section> sections = new ArrayList<>();
        if (rows.isEmpty()) {
            sections.add(new Document.Note("Nothing fits", "None of the " + result.considered()
                    + " layouts fits in memory: use more GPUs, larger GPUs, or offload."));
        } else {
            sections.add(new Document.Table("Best layouts", List.of("#", "layout", "tokens/s", "step", "MFU", "memory/GPU"),
                    rows));
            sections.add(new Document.Table("Why", List.of("#", "explanation"), result.best().stream()
                    .map(c -> List.of(String.valueOf(c.rank()), c.why())).toList()));
        }
        return new Document("Parallelism search: " + model.name() + " on " + cluster.gpus() + " x " + cluster.gpu().name(),
                String.format(Locale.ROOT, "%d layouts considered, %d fit; ranked by roofline throughput.",
                        result.considered(), result.fitting()), sections);
    }

    /** "TP 8, PP 2, DP 32, ZeRO 1, micro batch 1, selective recomputation". */
    public static String layout(Estimate.Parallelism p) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "TP %d, PP %d", p.tp(), p.pp()));
        if (p.cp() > 1) {
            s.append(", CP ").append(p.cp());
        }
        if (p.ep() > 1) {
            s.append(", EP ").append(p.ep());
        }
        s.append(String.format(Locale.ROOT, ", DP %d, ZeRO %d, micro batch %d, %s recomputation", p.dp(), p.zero(),
                p.microBatch(), p.recompute().equals("none") ? "no" : p.recompute()));
        if (!p.offload().equals("none")) {
            s.append(", offload ").append(p.offload());
        }
        return s.toString();
    }

    private static Document.Bar bar(String label, double bytes) {
        return new Document.Bar(label, bytes, String.format(Locale.ROOT, "%.1f GiB", bytes / GIB));
    }

    private static Document.Bar seconds(String label, double s) {
        return new Document.Bar(label, s, String.format(Locale.ROOT, "%.3f s", s));
    }
}
