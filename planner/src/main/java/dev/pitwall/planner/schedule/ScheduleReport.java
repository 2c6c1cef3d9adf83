package dev.pitwall.planner.schedule;

import dev.pitwall.core.report.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The policies' comparison as a document: the figures, the CDF of completion times and the allocation over time. */
public final class ScheduleReport {

    private static final String[] COLOURS = {"#3b6fd6", "#e07b00", "#2e9e55", "#c0392b", "#8e44ad", "#16a085", "#7f8c8d"};

    private ScheduleReport() {
    }

    /** @param source what the jobs are, in words ("20,000 synthetic jobs at load 1.1", "a Helios trace") */
    public static Document of(SimCluster cluster, String source, List<ScheduleResult> results) {
        List<Document.Section> sections = new ArrayList<>();
        sections.add(new Document.Facts("Cluster and jobs", List.of(
                new Document.Fact("cluster", cluster.nodes() + " nodes of " + cluster.gpusPerNode() + " GPUs ("
                        + cluster.totalGpus() + " GPUs), " + cluster.nodesPerRack() + " nodes a rack, "
                        + cluster.racksPerBlock() + " racks a block"),
                new Document.Fact("jobs", source))));
        List<List<String>> rows = new ArrayList<>();
        for (ScheduleResult r : results) {
            rows.add(List.of(r.policy(), hours(r.jctMeanSeconds()), hours(r.jctP50Seconds()), hours(r.jctP99Seconds()),
                    hours(r.waitMeanSeconds()), hours(r.makespanSeconds()),
                    String.format(Locale.ROOT, "%.1f %%", r.gpuAllocation() * 100),
                    String.format(Locale.ROOT, "%.1f", r.fragmentedGpus()),
                    String.format(Locale.ROOT, "%.3f", r.jainFairness()),
                    String.format(Locale.ROOT, "%.2f", r.dominantShareMaxOverMin()), String.valueOf(r.neverStarted())));
        }
        sections.add(new Document.Table("Policies compared", List.of("policy", "JCT mean", "JCT p50", "JCT p99",
                "wait mean", "makespan", "GPU allocation", "fragmented GPUs", "Jain", "dominant share max/min",
                "never started"), rows));
        List<Document.Series> cdf = new ArrayList<>();
        List<Document.Series> allocation = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            ScheduleResult r = results.get(i);
            String colour = COLOURS[i % COLOURS.length];
            double[] x = r.jctCdf().stream().mapToDouble(s -> s / 3600).toArray();
            double[] y = new double[x.length];
            for (int k = 0; k < y.length; k++) {
                y[k] = 5.0 * (k + 1);
            }
            cdf.add(new Document.Series(r.policy(), colour, x, y));
            allocation.add(new Document.Series(r.policy(), colour,
                    r.allocationHours().stream().mapToDouble(Double::doubleValue).toArray(),
                    r.allocatedShare().stream().mapToDouble(s -> s * 100).toArray()));
        }
        sections.add(new Document.Lines("Job completion time, cumulative", "hours", "% of jobs", cdf, null));
        sections.add(new Document.Lines("GPUs allocated over time", "hours", "% of GPUs", allocation, null));
        return new Document("Scheduling policies on " + cluster.totalGpus() + " GPUs",
                "The same jobs replayed under each policy; every job's tasks start together or not at all.",
                List.copyOf(sections));
    }

    private static String hours(double seconds) {
        return String.format(Locale.ROOT, "%.2f h", seconds / 3600);
    }
}
