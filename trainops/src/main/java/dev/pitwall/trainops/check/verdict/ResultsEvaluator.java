package dev.pitwall.trainops.check.verdict;

import dev.pitwall.trainops.check.parse.Measurement;
import dev.pitwall.trainops.check.parse.Problem;
import dev.pitwall.trainops.check.parse.ToolOutput;
import dev.pitwall.trainops.check.parse.ToolParsers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Judges a results folder, one sub-folder per node ({@code results/gpu-a01/…}); files at the
 * top are put under the host they name, or their own name. Every file is parsed; then the
 * tools' own failures, node consistency and fleet outliers give findings, and the worst finding
 * gives each node's and the cluster's verdict.
 */
public final class ResultsEvaluator {

    private ResultsEvaluator() {
    }

    public static Evaluation evaluate(Path resultsDir) throws IOException {
        Map<String, List<ToolOutput>> outputsByNode = new TreeMap<>();
        List<String> unread = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(resultsDir)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                ToolOutput output = ToolParsers.parse(file);
                if (output.tool().equals("unknown")) {
                    unread.add(resultsDir.relativize(file).toString());
                    continue;
                }
                files++;
                outputsByNode.computeIfAbsent(node(resultsDir, file, output), n -> new ArrayList<>()).add(output);
            }
        }
        List<Finding> findings = new ArrayList<>();
        Map<String, List<Measurement>> gpus = new TreeMap<>();
        Map<String, Map<String, Double>> fleet = new TreeMap<>();
        Map<String, String> units = new TreeMap<>();
        outputsByNode.forEach((node, outputs) -> {
            for (ToolOutput output : outputs) {
                for (Problem warning : output.warnings()) {
                    findings.add(new Finding(node, "tool." + output.tool(), Verdict.FAIL, warning.text(), "",
                            warning.reason() + where(output, warning)));
                }
                for (Problem problem : output.problems()) {
                    findings.add(new Finding(node, "read." + output.tool(), Verdict.WARN, problem.text(), "",
                            problem.reason() + where(output, problem)));
                }
                for (Measurement m : output.measurements()) {
                    if (output.tool().equals("nvidia-smi") && m.name().equals("gpu")) {
                        gpus.computeIfAbsent(node, n -> new ArrayList<>()).add(m);
                    }
                    FleetFigure figure = FleetFigure.of(output.tool(), m);
                    if (figure != null) {
                        // Several readings of one figure on a node (GPUs, repeated runs): the worst counts.
                        fleet.computeIfAbsent(figure.check(), c -> new TreeMap<>()).merge(node, m.value(), Math::min);
                        units.put(figure.check(), m.unit());
                    }
                }
            }
        });
        findings.addAll(NodeConsistency.check(gpus));
        fleet.forEach((check, byNode) -> findings.addAll(FleetOutliers.check(check, byNode, units.get(check))));
        findings.sort(Comparator.comparing(Finding::verdict).reversed().thenComparing(Finding::node)
                .thenComparing(Finding::check));

        Map<String, Verdict> nodes = new TreeMap<>();
        outputsByNode.keySet().forEach(node -> nodes.put(node, Verdict.PASS));
        Verdict overall = Verdict.PASS;
        for (Finding finding : findings) {
            nodes.merge(finding.node(), finding.verdict(), Verdict::worst);
            overall = overall.worst(finding.verdict());
        }
        return new Evaluation(overall, nodes, findings, files, unread);
    }

    private static String node(Path resultsDir, Path file, ToolOutput output) {
        Path relative = resultsDir.relativize(file);
        if (relative.getNameCount() > 1) {
            return relative.getName(0).toString();
        }
        if (output.host() != null) {
            return output.host();
        }
        String name = relative.getFileName().toString();
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static String where(ToolOutput output, Problem problem) {
        String file = Path.of(output.file()).getFileName().toString();
        return " (" + file + (problem.line() > 0 ? ":" + problem.line() : "") + ")";
    }

    /** The figures compared across the fleet, higher being better, and what each is called. */
    private record FleetFigure(String check) {

        static final long LARGE_MESSAGE = 1L << 20;

        static FleetFigure of(String tool, Measurement m) {
            return switch (tool + "/" + m.name()) {
                case "nccl-tests/avg_busbw" -> new FleetFigure("fleet.nccl." + m.label("test") + ".avg_busbw");
                case "gpu-burn/gflops" -> new FleetFigure("fleet.gpu-burn.gflops");
                case "dcgmi-diag/gflops" -> new FleetFigure("fleet.dcgmi-diag.gflops");
                // Small messages measure latency more than bandwidth, and vary too much to compare.
                case "perftest/bw_average" -> ((Long) m.label("size_bytes")) < LARGE_MESSAGE ? null
                        : new FleetFigure("fleet.perftest." + m.label("test") + "." + m.label("size_bytes") + "B.bw_average");
                case "fio/iops" -> new FleetFigure("fleet.fio." + m.label("job") + "." + m.label("direction") + ".iops");
                default -> null;
            };
        }
    }
}
