package dev.pitwall.acceptance.report;

import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.NodeFigures;
import dev.pitwall.acceptance.verdict.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the acceptance report shows, worked out in Java so that the template only lays it out:
 * the verdicts, the findings, root-cause hints, a bus-bandwidth chart per nccl-tests test (SVG
 * coordinates, message sizes on a log scale) and a heatmap of each node's figures against the
 * fleet median.
 */
public record ReportView(String title, String profile, Evaluation evaluation, Map<String, List<String>> hints,
                         List<Chart> charts, Heatmap heatmap) {

    public static final int WIDTH = 720;
    public static final int HEIGHT = 300;
    private static final int LEFT = 60;
    private static final int BOTTOM = 40;
    private static final int TOP = 20;
    private static final int RIGHT = 20;

    /** One node's line: SVG points, and whether the node has findings about this collective (drawn in red). */
    public record Line(String node, String points, boolean flagged) {
    }

    /** A tick on an axis: its position and label. */
    public record Tick(double at, String label) {
    }

    /**
     * A chart of one collective, with its legend: the flagged nodes by name (red), then the others
     * (grey), named up to {@link #LEGEND_NAMES} and counted beyond.
     */
    public record Chart(String test, List<Line> lines, List<Tick> xTicks, List<Tick> yTicks, List<String> flaggedNodes,
                        String otherNodes) {
    }

    /** Grey lines named in a legend before the rest are counted ("+12 more"). */
    static final int LEGEND_NAMES = 8;

    /** A heatmap cell: the figure's value, its ratio to the fleet median, and a colour for the ratio. */
    public record Cell(String value, double ratio, String colour) {
    }

    public record Heatmap(List<String> figures, Map<String, List<Cell>> rows) {
    }

    public static ReportView of(String title, String profile, Evaluation evaluation) {
        return new ReportView(title, profile, evaluation, RootCauseHints.of(evaluation.findings()),
                charts(evaluation), heatmap(evaluation));
    }

    public boolean flagged(String node) {
        return evaluation.nodes().getOrDefault(node, Verdict.PASS) != Verdict.PASS;
    }

    private static List<Chart> charts(Evaluation evaluation) {
        List<Chart> charts = new ArrayList<>();
        evaluation.curves().forEach((test, byNode) -> {
            long minSize = Long.MAX_VALUE;
            long maxSize = 1;
            double maxBusbw = 1;
            for (List<Evaluation.Point> points : byNode.values()) {
                for (Evaluation.Point p : points) {
                    if (p.sizeBytes() > 0) {
                        minSize = Math.min(minSize, p.sizeBytes());
                        maxSize = Math.max(maxSize, p.sizeBytes());
                    }
                    maxBusbw = Math.max(maxBusbw, p.busbwGbps());
                }
            }
            if (minSize == Long.MAX_VALUE || minSize == maxSize) {
                return; // one message size: nothing to draw a curve through
            }
            double lo = log2(minSize);
            double hi = log2(maxSize);
            double top = niceCeiling(maxBusbw);
            List<Line> lines = new ArrayList<>();
            byNode.forEach((node, points) -> {
                StringBuilder svg = new StringBuilder();
                points.stream().filter(p -> p.sizeBytes() > 0)
                        .sorted(java.util.Comparator.comparingLong(Evaluation.Point::sizeBytes))
                        .forEach(p -> svg.append(String.format(Locale.ROOT, "%.1f,%.1f ",
                                x(log2(p.sizeBytes()), lo, hi), y(p.busbwGbps(), top))));
                // Red for the nodes whose findings concern this collective, not for every failed node.
                boolean flagged = evaluation.findings().stream()
                        .anyMatch(f -> f.node().equals(node) && f.check().contains("nccl." + test + "."));
                lines.add(new Line(node, svg.toString().strip(), flagged));
            });
            List<Tick> xTicks = new ArrayList<>();
            for (int power = (int) Math.ceil(lo); power <= hi; power += Math.max(1, (int) Math.ceil((hi - lo) / 8))) {
                xTicks.add(new Tick(x(power, lo, hi), size(1L << power)));
            }
            List<Tick> yTicks = new ArrayList<>();
            for (int i = 0; i <= 4; i++) {
                yTicks.add(new Tick(y(top * i / 4, top), String.format(Locale.ROOT, "%.0f", top * i / 4)));
            }
            List<String> flagged = lines.stream().filter(Line::flagged).map(Line::node).toList();
            List<String> others = lines.stream().filter(l -> !l.flagged()).map(Line::node).toList();
            String otherNodes = String.join(", ", others.subList(0, Math.min(LEGEND_NAMES, others.size())))
                    + (others.size() > LEGEND_NAMES ? " +" + (others.size() - LEGEND_NAMES) + " more" : "");
            charts.add(new Chart(test, lines, xTicks, yTicks, flagged, otherNodes));
        });
        return charts;
    }

    private static Heatmap heatmap(Evaluation evaluation) {
        TreeSet<String> names = new TreeSet<>();
        evaluation.figures().values().forEach(f -> names.addAll(f.keySet()));
        List<String> figures = new ArrayList<>(names);
        Map<String, Double> medians = new java.util.HashMap<>();
        for (String figure : figures) {
            double[] values = evaluation.figures().values().stream().map(f -> f.get(figure))
                    .filter(java.util.Objects::nonNull).mapToDouble(NodeFigures.Figure::value).sorted().toArray();
            medians.put(figure, values.length % 2 == 1 ? values[values.length / 2]
                    : (values[values.length / 2 - 1] + values[values.length / 2]) / 2);
        }
        Map<String, List<Cell>> rows = new java.util.TreeMap<>();
        evaluation.figures().forEach((node, own) -> {
            List<Cell> cells = new ArrayList<>();
            for (String figure : figures) {
                NodeFigures.Figure f = own.get(figure);
                if (f == null) {
                    cells.add(new Cell("–", Double.NaN, "#f1f3f6"));
                } else {
                    double median = medians.get(figure);
                    double ratio = median > 0 ? f.value() / median : 1;
                    cells.add(new Cell(number(f.value()), ratio, colour(ratio)));
                }
            }
            rows.put(node, cells);
        });
        return new Heatmap(figures, rows);
    }

    /** Green at the median and above, through amber at 10% below, to red at 20% below. */
    private static String colour(double ratio) {
        if (ratio >= 0.97) {
            return "#d5f0df";
        } else if (ratio >= 0.9) {
            return "#fdf0c4";
        } else if (ratio >= 0.8) {
            return "#fcd9b6";
        }
        return "#f8c3c0";
    }

    private static double x(double log, double lo, double hi) {
        return LEFT + (log - lo) / (hi - lo) * (WIDTH - LEFT - RIGHT);
    }

    /** Whole numbers (GPU counts, IOPS) without a decimal; others to one place. */
    private static String number(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    /**
     * A figure's name in the parts a header may break between ({@code nccl.}, {@code all_reduce_perf.},
     * {@code avg_busbw}), so that a narrow column wraps at a dot and never inside a word.
     */
    public static List<String> breakable(String figure) {
        return List.of(figure.split("(?<=\\.)"));
    }

    private static double y(double value, double top) {
        return HEIGHT - BOTTOM - value / top * (HEIGHT - BOTTOM - TOP);
    }

    private static double log2(long value) {
        return Math.log(value) / Math.log(2);
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String size(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.0f %s", value, units[unit]);
    }

    /** Findings of one node, for the template. */
    public List<Finding> findingsOf(String node) {
        return evaluation.findings().stream().filter(f -> f.node().equals(node)).toList();
    }
}
