package dev.pitwall.acceptance.verdict;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pitwall.acceptance.parse.Measurement;
import dev.pitwall.acceptance.parse.ToolOutput;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How collective bandwidth holds up as a job spans more nodes: nccl-tests runs of the same test at
 * 1, 2, 4, 8 … nodes, each run's bus bandwidth at its largest message size against the smallest
 * run's. Bus bandwidth is normalised for the number of ranks (nccl-tests' PERFORMANCE.md), so a
 * healthy fabric keeps it near flat; a falling share points at the network between nodes.
 * Runs that cannot be compared are refused rather than judged: two runs of a test at the same
 * node count, or runs on different GPU models (a T4 run against an H100 run is no scaling).
 */
public final class Scaling {

    /** Below this share of the smallest run's bandwidth a step warns, below FAIL_BELOW it fails. */
    static final double WARN_BELOW = 0.9;
    static final double FAIL_BELOW = 0.8;

    /** A run's figures and what it ran on, before it is compared. */
    private record Run(Point point, List<String> gpus) {
    }

    /** One run: the nodes and ranks it spanned, its bus bandwidth and its share of the smallest run's. */
    public record Point(@JsonProperty("test") String test, @JsonProperty("nodes") int nodes,
                        @JsonProperty("ranks") int ranks, @JsonProperty("busbw_gbps") double busbwGbps,
                        @JsonProperty("efficiency") double efficiency, @JsonProperty("verdict") Verdict verdict,
                        @JsonProperty("file") String file) {
    }

    private Scaling() {
    }

    /**
     * Every nccl-tests run among {@code outputs}, grouped by test and ordered by node count.
     *
     * @throws IllegalArgumentException when a test's runs cannot be compared, saying why and which files
     */
    public static List<Point> of(Collection<ToolOutput> outputs) {
        Map<String, List<Run>> byTest = new TreeMap<>();
        for (ToolOutput output : outputs) {
            if (!output.tool().equals("nccl-tests")) {
                continue;
            }
            for (Measurement ranks : output.measurements()) {
                if (!ranks.name().equals("ranks")) {
                    continue;
                }
                String test = (String) ranks.label("test");
                int nodes = ((List<?>) ranks.label("hosts")).stream().distinct().toList().size();
                double busbw = output.measurements().stream()
                        .filter(m -> m.name().equals("busbw") && test.equals(m.label("test"))
                                && Boolean.FALSE.equals(m.label("in_place")))
                        .max(Comparator.comparingLong(m -> (Long) m.label("size_bytes")))
                        .map(Measurement::value).orElse(Double.NaN);
                if (!Double.isNaN(busbw)) {
                    List<String> gpus = ranks.label("gpus") instanceof List<?> listed
                            ? listed.stream().map(String::valueOf).distinct().sorted().toList() : List.of();
                    byTest.computeIfAbsent(test, t -> new ArrayList<>()).add(new Run(new Point(test, Math.max(1, nodes),
                            (int) ranks.value(), busbw, 1, Verdict.PASS, output.file()), gpus));
                }
            }
        }
        List<Point> points = new ArrayList<>();
        byTest.forEach((test, runs) -> {
            runs.sort(Comparator.comparingInt((Run r) -> r.point().nodes()).thenComparing(r -> r.point().file()));
            refuseIncomparable(test, runs);
            double reference = runs.getFirst().point().busbwGbps();
            for (Run run : runs) {
                Point p = run.point();
                double efficiency = reference > 0 ? p.busbwGbps() / reference : 0;
                Verdict verdict = efficiency < FAIL_BELOW ? Verdict.FAIL : efficiency < WARN_BELOW ? Verdict.WARN : Verdict.PASS;
                points.add(new Point(test, p.nodes(), p.ranks(), p.busbwGbps(), efficiency, verdict, p.file()));
            }
        });
        return points;
    }

    private static void refuseIncomparable(String test, List<Run> runs) {
        for (int i = 1; i < runs.size(); i++) {
            Point before = runs.get(i - 1).point();
            Point run = runs.get(i).point();
            if (run.nodes() == before.nodes()) {
                throw new IllegalArgumentException(test + ": " + before.file() + " and " + run.file() + " both ran on "
                        + run.nodes() + " node" + (run.nodes() == 1 ? "" : "s") + "; scaling compares runs at "
                        + "different node counts");
            }
            List<String> gpus = runs.get(i).gpus();
            List<String> first = runs.getFirst().gpus();
            if (!gpus.isEmpty() && !first.isEmpty() && !gpus.equals(first)) {
                throw new IllegalArgumentException(test + ": " + runs.getFirst().point().file() + " ran on "
                        + String.join(", ", first) + " but " + run.file() + " on " + String.join(", ", gpus)
                        + "; scaling compares runs on one kind of GPU");
            }
        }
    }
}
