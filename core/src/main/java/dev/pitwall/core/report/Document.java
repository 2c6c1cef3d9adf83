package dev.pitwall.core.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A report laid out once and written as text, Markdown or self-contained HTML: facts,
 * tables, bar charts and line charts under headings.
 */
public record Document(String title, String lead, List<Section> sections) {

    public Document {
        sections = List.copyOf(sections);
    }

    public sealed interface Section permits Facts, Table, Bars, Lines, Note {
        String heading();
    }

    /** Label: value lines. */
    public record Facts(String heading, List<Fact> facts) implements Section {
    }

    public record Fact(String label, String value) {
    }

    public record Table(String heading, List<String> columns, List<List<String>> rows) implements Section {
    }

    /** Horizontal bars sharing one scale; {@code shown} is each value as written. */
    public record Bars(String heading, List<Bar> bars) implements Section {

        public double max() {
            return bars.stream().mapToDouble(Bar::value).max().orElse(1);
        }

        /** Width of {@code bar} in percent of the widest. */
        public double percent(Bar bar) {
            double max = max();
            return max > 0 ? 100 * bar.value() / max : 0;
        }
    }

    public record Bar(String label, double value, String shown) {
    }

    /** Line chart of series over a shared x axis, with an optional vertical marker (a step where runs diverge). */
    public record Lines(String heading, String xLabel, String yLabel, List<Series> series, Double marker)
            implements Section {

        public static final int WIDTH = 720;
        public static final int HEIGHT = 280;
        private static final int LEFT = 60;
        private static final int RIGHT = 20;
        private static final int TOP = 15;
        private static final int BOTTOM = 35;

        private double minX() {
            return series.stream().flatMapToDouble(s -> java.util.Arrays.stream(s.x())).min().orElse(0);
        }

        private double maxX() {
            return series.stream().flatMapToDouble(s -> java.util.Arrays.stream(s.x())).max().orElse(1);
        }

        private double minY() {
            return series.stream().flatMapToDouble(s -> java.util.Arrays.stream(s.y())).filter(Double::isFinite).min().orElse(0);
        }

        private double maxY() {
            return series.stream().flatMapToDouble(s -> java.util.Arrays.stream(s.y())).filter(Double::isFinite).max().orElse(1);
        }

        public double x(double value) {
            double lo = minX();
            double hi = maxX();
            return LEFT + (hi > lo ? (value - lo) / (hi - lo) : 0.5) * (WIDTH - LEFT - RIGHT);
        }

        public double y(double value) {
            double lo = minY();
            double hi = maxY();
            return HEIGHT - BOTTOM - (hi > lo ? (value - lo) / (hi - lo) : 0.5) * (HEIGHT - BOTTOM - TOP);
        }

        /** SVG polyline points of one series, leaving out values that are not finite. */
        public String points(Series s) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.y()[i])) {
                    out.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(s.x()[i]), y(s.y()[i])));
                }
            }
            return out.toString().strip();
        }

        /** Five labelled ticks on each axis: position and text. */
        public List<double[]> yTicks() {
            List<double[]> ticks = new ArrayList<>();
            for (int i = 0; i <= 4; i++) {
                double v = minY() + (maxY() - minY()) * i / 4;
                ticks.add(new double[] {y(v), v});
            }
            return ticks;
        }

        public List<double[]> xTicks() {
            List<double[]> ticks = new ArrayList<>();
            for (int i = 0; i <= 4; i++) {
                double v = minX() + (maxX() - minX()) * i / 4;
                ticks.add(new double[] {x(v), v});
            }
            return ticks;
        }

        public int bottom() {
            return HEIGHT - BOTTOM;
        }

        public int left() {
            return LEFT;
        }

        public int right() {
            return WIDTH - RIGHT;
        }

        public int top() {
            return TOP;
        }
    }

    public record Series(String name, String colour, double[] x, double[] y) {
    }

    /** A paragraph of prose, such as an explanation or a warning. */
    public record Note(String heading, String text) implements Section {
    }
}
