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
 */
public final class Scaling {

    /** Below this share of the smallest run's bandwidth a step warns, below FAIL_BELOW it fails. */
    static final double WARN_BELOW = 0.9;
    static final double FAIL_BELOW = 0.8;

    /** One run: the nodes and ranks it spanned, its bus bandwidth and its share of the smallest run's. */
    public record Point(@JsonProperty("test") String test, @JsonProperty("nodes") int nodes,
                        @JsonProperty("ranks") int ranks, @JsonProperty("busbw_gbps") double busbwGbps,
                        @JsonProperty("efficiency") double efficiency, @JsonProperty("verdict") Verdict verdict,
                        @JsonProperty("file") String file) {
    }

    private Scaling() {
    }

    /** Every nccl-tests run among {@code outputs}, grouped by test and ordered by node count. */
    public static List<Point> of(Collection<ToolOutput> outputs) {
        Map<String, List<Point>> byTest = new TreeMap<>();
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
                    byTest.computeIfAbsent(test, t -> new ArrayList<>())
                            .add(new Point(test, Math.max(1, nodes), (int) ranks.value(), busbw, 1, Verdict.PASS, output.file()));
                }
            }
        }
        List<Point> points = new ArrayList<>();
        byTest.forEach((test, runs) -> {
            runs.sort(Comparator.comparingInt(Point::nodes).thenComparing(Point::file));
            double reference = runs.getFirst().busbwGbps();
            for (Point p : runs) {
                double efficiency = reference > 0 ? p.busbwGbps() / reference : 0;
                Verdict verdict = efficiency < FAIL_BELOW ? Verdict.FAIL : efficiency < WARN_BELOW ? Verdict.WARN : Verdict.PASS;
                points.add(new Point(test, p.nodes(), p.ranks(), p.busbwGbps(), efficiency, verdict, p.file()));
            }
        });
        return points;
    }
}
