package dev.pitwall.acceptance.stress;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.report.Document;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A stress test's outcome: each scale's run and findings, and the verdict over all of them.
 *
 * @param folder where each scale's outputs are ({@code scale-NNN})
 */
public record StressResult(@JsonProperty("plan") String plan, @JsonProperty("unit") String unit,
                           @JsonProperty("folder") String folder, @JsonProperty("started_at") Instant startedAt,
                           @JsonProperty("verdict") Verdict verdict, @JsonProperty("scales") List<ScaleRun> scales,
                           @JsonProperty("expected") Double expected,
                           @JsonProperty("efficiency_warn_below") double warnBelow,
                           @JsonProperty("efficiency_fail_below") double failBelow) {

    /** What became of the checkpoint the job was to write. */
    public enum Checkpoint { READ_BACK, MISSING, UNREADABLE, NOT_CHECKED }

    /**
     * One scale's run.
     *
     * @param exitCode   the job's exit status; -1 when it ran past the plan's timeout
     * @param steps      throughput lines after warm-up
     * @param perGpu     their median throughput per GPU; null when none
     * @param efficiency per-GPU throughput over the smallest scale's that has one; null when either is missing
     * @param lastLine   the log's last line, for a failed job's report
     */
    public record ScaleRun(@JsonProperty("nodes") int scale, @JsonProperty("gpus") int gpus,
                           @JsonProperty("exit_code") int exitCode, @JsonProperty("log_found") boolean logFound,
                           @JsonProperty("steps") int steps, @JsonProperty("throughput_per_gpu") Double perGpu,
                           @JsonProperty("scaling_efficiency") Double efficiency,
                           @JsonProperty("checkpoint") Checkpoint checkpoint, @JsonProperty("seconds") double seconds,
                           @JsonProperty("last_line") String lastLine, @JsonProperty("findings") List<Finding> findings) {

        public Verdict verdict() {
            return findings.stream().map(Finding::verdict).reduce(Verdict.PASS, Verdict::worst);
        }
    }

    static StressResult of(StressPlan plan, Path folder, Instant startedAt, List<ScaleRun> runs) {
        Verdict verdict = runs.stream().map(ScaleRun::verdict).reduce(Verdict.PASS, Verdict::worst);
        return new StressResult(plan.name(), plan.job().unit(), folder.toAbsolutePath().toString(), startedAt, verdict,
                runs, plan.job().expected(), plan.efficiency().warnBelow(), plan.efficiency().failBelow());
    }

    /** As an acceptance run of the cluster, one "node" per scale, for the store and the Reports page. */
    public Evaluation evaluation() {
        List<Finding> findings = scales.stream().flatMap(s -> s.findings().stream()).toList();
        return Evaluation.ofFindings(scales.stream().map(s -> s.scale() + " nodes").toList(), findings,
                (int) scales.stream().filter(ScaleRun::logFound).count());
    }

    public Document document() {
        List<Document.Section> sections = new ArrayList<>();
        sections.add(new Document.Facts("Summary", List.of(
                new Document.Fact("verdict", verdict.name()),
                new Document.Fact("plan", plan),
                new Document.Fact("scales", String.join(", ", scales.stream().map(s -> s.scale() + " nodes").toList())),
                new Document.Fact("expected throughput", expected == null ? "not set: scaling judged only"
                        : String.format(Locale.ROOT, "%.1f %s per GPU", expected, unit)),
                new Document.Fact("scaling efficiency", String.format(Locale.ROOT, "warns below %.0f %%, fails below %.0f %%",
                        100 * warnBelow, 100 * failBelow)),
                new Document.Fact("outputs", folder))));
        sections.add(new Document.Table("Scales", List.of("nodes", "GPUs", "throughput per GPU", "scaling efficiency",
                "steps", "checkpoint", "job", "time", "verdict"), scales.stream().map(s -> List.of(
                String.valueOf(s.scale()), String.valueOf(s.gpus()),
                s.perGpu() == null ? "none" : String.format(Locale.ROOT, "%.1f %s", s.perGpu(), unit),
                s.efficiency() == null ? "" : String.format(Locale.ROOT, "%.1f %%", 100 * s.efficiency()),
                String.valueOf(s.steps()), s.checkpoint().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                s.exitCode() == 0 ? "exit 0" : s.exitCode() < 0 ? "timed out" : "exit " + s.exitCode(),
                String.format(Locale.ROOT, "%.0f s", s.seconds()), s.verdict().name())).toList()));
        List<ScaleRun> measured = scales.stream().filter(s -> s.efficiency() != null).toList();
        if (measured.size() >= 2) {
            double[] x = measured.stream().mapToDouble(ScaleRun::scale).toArray();
            double[] y = measured.stream().mapToDouble(s -> 100 * s.efficiency()).toArray();
            double[] floor = measured.stream().mapToDouble(s -> 100 * failBelow).toArray();
            sections.add(new Document.Lines("Scaling efficiency", "nodes", "% of the smallest scale's per-GPU throughput",
                    List.of(new Document.Series("scaling efficiency", "#3b6fd6", x, y),
                            new Document.Series("fails below", "#c0392b", x, floor)), null));
        }
        List<Finding> findings = scales.stream().flatMap(s -> s.findings().stream()).toList();
        if (!findings.isEmpty()) {
            sections.add(new Document.Table("Findings", List.of("scale", "check", "verdict", "found", "expected",
                    "where to look"), findings.stream().map(f -> List.of(f.node(), f.check(), f.verdict().name(), f.value(),
                    f.expected(), f.detail())).toList()));
        }
        return new Document("Training stress test: " + plan, "The reference job at each scale: its throughput, how it "
                + "scales, whether it checkpointed and logged.", sections);
    }
}
