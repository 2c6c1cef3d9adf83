package dev.pitwall.acceptance.verdict;

import dev.pitwall.acceptance.parse.HostInfoParser;
import dev.pitwall.acceptance.parse.Measurement;
import dev.pitwall.acceptance.parse.Problem;
import dev.pitwall.acceptance.parse.ToolOutput;
import dev.pitwall.acceptance.parse.ToolParsers;
import dev.pitwall.acceptance.run.CheckRunner;
import dev.pitwall.acceptance.run.StepResult;
import dev.pitwall.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Judges a results folder, one sub-folder per node ({@code results/gpu-a01/…}); files at the
 * top are put under the host they name, or their own name. Every file is parsed; then the
 * tools' own failures, node consistency, fleet outliers and (when given) a hardware profile's
 * baselines give findings, and the worst finding gives each node's and the cluster's verdict.
 *
 * <p>No node passes without evidence: a node folder with no readable tool output, a node the run
 * record lists without a folder, a plan step that failed, timed out or could not start
 * ({@code run.json}, as {@code check run} writes it), and a baseline figure the node did not
 * measure each fail the node as not verified, with the reason as a finding.
 */
public final class ResultsEvaluator {

    /** The check of a node with nothing in its folder a parser reads. */
    public static final String NO_OUTPUTS = "evidence.outputs";

    private ResultsEvaluator() {
    }

    public static Evaluation evaluate(Path resultsDir) throws IOException {
        return evaluate(resultsDir, Optional.empty());
    }

    /**
     * @param baseline the hardware profile nodes are held to, besides each other; empty for the
     *                 fleet comparison alone
     */
    public static Evaluation evaluate(Path resultsDir, Optional<Baseline> baseline) throws IOException {
        Map<String, List<ToolOutput>> outputsByNode = new TreeMap<>();
        List<String> unread = new ArrayList<>();
        Path record = resultsDir.resolve(CheckRunner.RECORD);
        Optional<CheckRunner.RunRecord> run = runRecord(record);
        int files = 0;
        try (Stream<Path> walk = Files.walk(resultsDir)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                if (file.equals(record) && run.isPresent()) {
                    continue;
                }
                ToolOutput output = ToolParsers.parse(file);
                if (output.tool().equals(ToolParsers.UNKNOWN)) {
                    unread.add(resultsDir.relativize(file).toString());
                    continue;
                }
                files++;
                outputsByNode.computeIfAbsent(node(resultsDir, file, output), n -> new ArrayList<>()).add(output);
            }
        }
        List<Finding> findings = new ArrayList<>(evidence(resultsDir, outputsByNode.keySet(), run));
        Map<String, List<Measurement>> gpus = new TreeMap<>();
        Map<String, List<Measurement>> hosts = new TreeMap<>();
        Map<String, Map<String, NodeFigures.Figure>> figuresByNode = new TreeMap<>();
        outputsByNode.forEach((node, outputs) -> {
            for (ToolOutput output : outputs) {
                for (Problem warning : output.warnings()) {
                    findings.add(new Finding(node, "tool." + output.tool(), Verdict.FAIL, warning.text(), "",
                            warning.reason() + (warning.text().isEmpty() ? "" : ": " + warning.text())
                                    + where(output, warning)));
                }
                for (Problem problem : output.problems()) {
                    findings.add(new Finding(node, "read." + output.tool(), Verdict.WARN, problem.text(), "",
                            problem.reason() + where(output, problem)));
                }
                output.measurements().stream()
                        .filter(m -> output.tool().equals("nvidia-smi") && m.name().equals("gpu"))
                        .forEach(m -> gpus.computeIfAbsent(node, n -> new ArrayList<>()).add(m));
                if (output.tool().equals(HostInfoParser.TOOL)) {
                    hosts.computeIfAbsent(node, n -> new ArrayList<>()).addAll(output.measurements());
                }
            }
            findings.addAll(GpuMemoryHealth.check(node, outputs));
            findings.addAll(GpuClockSlowdown.check(node, outputs));
            figuresByNode.put(node, NodeFigures.of(outputs));
        });
        findings.addAll(NodeConsistency.check(gpus));
        findings.addAll(NodeConsistency.checkHost(hosts));
        findings.addAll(fleet(figuresByNode));
        baseline.ifPresent(profile -> findings.addAll(againstBaseline(profile, figuresByNode)));
        findings.sort(Comparator.comparing(Finding::verdict).reversed().thenComparing(Finding::node)
                .thenComparing(Finding::check));

        Map<String, Verdict> nodes = new TreeMap<>();
        outputsByNode.keySet().forEach(node -> nodes.put(node, Verdict.PASS));
        findings.forEach(finding -> nodes.putIfAbsent(finding.node(), Verdict.PASS));
        Verdict overall = Verdict.PASS;
        for (Finding finding : findings) {
            nodes.merge(finding.node(), finding.verdict(), Verdict::worst);
            overall = overall.worst(finding.verdict());
        }
        return new Evaluation(overall, nodes, findings, figuresByNode, curves(outputsByNode), files, unread);
    }

    /** The run record {@code check run} left, when the folder has one Pitwall can read. */
    private static Optional<CheckRunner.RunRecord> runRecord(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(Json.mapper().readValue(file.toFile(), CheckRunner.RunRecord.class))
                    .filter(r -> r.results() != null && r.nodes() != null);
        } catch (IOException e) {
            return Optional.empty(); // then it is listed among the files not read
        }
    }

    /**
     * What makes a node not verified, whatever its outputs say: no readable output in its folder (or
     * no folder, for a node the run lists), and each plan step that did not end well.
     */
    private static List<Finding> evidence(Path resultsDir, Set<String> nodesWithOutputs,
                                          Optional<CheckRunner.RunRecord> run) throws IOException {
        List<Finding> findings = new ArrayList<>();
        Set<String> folders = new TreeSet<>();
        try (Stream<Path> top = Files.list(resultsDir)) {
            top.filter(Files::isDirectory).forEach(dir -> folders.add(dir.getFileName().toString()));
        }
        run.ifPresent(r -> folders.addAll(r.nodes()));
        for (String node : folders) {
            if (nodesWithOutputs.contains(node)) {
                continue;
            }
            Path dir = resultsDir.resolve(node);
            long present = 0;
            if (Files.isDirectory(dir)) {
                try (Stream<Path> inside = Files.walk(dir)) {
                    present = inside.filter(Files::isRegularFile).count();
                }
            }
            String found = !Files.isDirectory(dir) ? "no folder" : present == 0 ? "an empty folder"
                    : present + " file" + (present == 1 ? "" : "s") + ", none a tool output Pitwall reads";
            findings.add(new Finding(node, NO_OUTPUTS, Verdict.FAIL, found, "at least one tool output",
                    node + " is not verified: nothing of it can be judged"));
        }
        run.ifPresent(r -> {
            for (StepResult step : r.results()) {
                if (step.ok()) {
                    continue;
                }
                String how = step.error() != null ? "could not start: " + step.error()
                        : step.timedOut() ? String.format(Locale.ROOT, "stopped at its time budget after %.0f s", step.seconds())
                        : "exited " + step.exitCode() + (step.exitCode() == 127 ? " (command not found)" : "");
                findings.add(new Finding(step.node(), "evidence.step." + step.step(), Verdict.FAIL, how,
                        "exit 0 within its time budget", "step " + step.step() + " of plan " + r.plan() + " " + how
                        + " on " + step.node() + ": its output (" + step.output() + ") is no evidence, so the node is "
                        + "not verified"));
            }
        });
        return findings;
    }

    private static Map<String, Map<String, List<Evaluation.Point>>> curves(Map<String, List<ToolOutput>> outputsByNode) {
        Map<String, Map<String, List<Evaluation.Point>>> curves = new TreeMap<>();
        outputsByNode.forEach((node, outputs) -> outputs.stream()
                .flatMap(o -> o.measurements().stream())
                .filter(m -> m.name().equals("busbw") && Boolean.FALSE.equals(m.label("in_place")))
                .forEach(m -> curves.computeIfAbsent((String) m.label("test"), t -> new TreeMap<>())
                        .computeIfAbsent(node, n -> new ArrayList<>())
                        .add(new Evaluation.Point((Long) m.label("size_bytes"), m.value()))));
        return curves;
    }

    /**
     * Every figure that three or more nodes report, against its median. A node that measured a
     * figure in another setup than most (a fio job with another block size or queue depth) is
     * not compared: it is named as not comparable instead.
     */
    private static List<Finding> fleet(Map<String, Map<String, NodeFigures.Figure>> figuresByNode) {
        Map<String, Map<String, NodeFigures.Figure>> byFigure = new TreeMap<>();
        figuresByNode.forEach((node, figures) -> figures.forEach((name, figure) -> {
            if (!name.equals(NodeFigures.GPU_COUNT)) {
                byFigure.computeIfAbsent(name, n -> new TreeMap<>()).put(node, figure);
            }
        }));
        List<Finding> findings = new ArrayList<>();
        byFigure.forEach((name, byNode) -> {
            Map<String, Long> setups = byNode.values().stream().collect(Collectors.groupingBy(
                    NodeFigures.Figure::setup, TreeMap::new, Collectors.counting()));
            String usual = setups.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            Map<String, Double> comparable = new TreeMap<>();
            byNode.forEach((node, figure) -> {
                if (figure.setup().equals(usual)) {
                    comparable.put(node, figure.value());
                } else {
                    findings.add(new Finding(node, "fleet." + name, Verdict.WARN, figure.setup(), usual,
                            name + " on " + node + " is not comparable with the fleet's: measured with " + figure.setup()
                                    + ", the other nodes with " + usual + "; run the same job on every node"));
                }
            });
            String unit = byNode.values().iterator().next().unit();
            findings.addAll(FleetOutliers.check("fleet." + name, comparable, unit));
        });
        return findings;
    }

    /** Each expectation of the profile, node by node; a figure the node did not measure leaves it not verified. */
    public static List<Finding> againstBaseline(Baseline profile, Map<String, Map<String, NodeFigures.Figure>> figuresByNode) {
        List<Finding> findings = new ArrayList<>();
        for (Baseline.Expectation expected : profile.expectations()) {
            String check = "baseline." + expected.figure();
            String wanted = String.format(Locale.ROOT, "at least %.2f %s (%s)", expected.passAtLeast(), expected.unit(),
                    profile.name());
            figuresByNode.forEach((node, figures) -> {
                NodeFigures.Figure figure = figures.get(expected.figure());
                if (figure == null) {
                    findings.add(new Finding(node, check, Verdict.FAIL, "not measured", wanted,
                            expected.figure() + " was not measured on " + node + ": it is not verified against "
                                    + profile.name()));
                    return;
                }
                Verdict verdict = expected.judge(figure.value());
                if (verdict != Verdict.PASS) {
                    findings.add(new Finding(node, check, verdict,
                            String.format(Locale.ROOT, "%.2f %s", figure.value(), expected.unit()), wanted,
                            expected.figure() + " is below the " + profile.name() + " baseline on " + node + ": "
                                    + expected.source()));
                }
            });
        }
        return findings;
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
}
