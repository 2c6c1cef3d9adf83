package dev.pitwall.acceptance.verdict;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The verdict on a folder of results.
 *
 * @param nodes    each node's verdict
 * @param findings everything that was not a pass, worst first
 * @param figures  each node's figures, for reports
 * @param curves   per nccl-tests test, each node's bus bandwidth by message size (out-of-place), for reports
 * @param files    tool outputs read
 * @param unread   files no parser recognised
 */
public record Evaluation(Verdict verdict, Map<String, Verdict> nodes, List<Finding> findings,
                         Map<String, Map<String, NodeFigures.Figure>> figures,
                         Map<String, Map<String, List<Point>>> curves, int files, List<String> unread) {

    /** One nccl-tests row: message size and bus bandwidth. */
    public record Point(long sizeBytes, double busbwGbps) {
    }

    /**
     * The verdict of an integration check (monitoring, scheduler, storage), which judges the
     * cluster rather than tool outputs per node: each node's verdict is the worst of its findings,
     * and only what did not pass is kept, worst first, as for tool outputs.
     *
     * @param checked what was checked (nodes, or "cluster"): each passes unless a finding says otherwise
     * @param inputs  how many things were read (exporter outputs, kubectl objects, probes), so a
     *                check that read nothing is not evaluable
     */
    public static Evaluation ofFindings(Collection<String> checked, List<Finding> findings, int inputs) {
        Map<String, Verdict> nodes = new TreeMap<>();
        checked.forEach(node -> nodes.put(node, Verdict.PASS));
        findings.forEach(f -> nodes.merge(f.node(), f.verdict(), Verdict::worst));
        List<Finding> notPassed = findings.stream().filter(f -> f.verdict() != Verdict.PASS)
                .sorted(Comparator.comparing(Finding::verdict).reversed()).toList();
        Verdict overall = nodes.values().stream().reduce(Verdict.PASS, Verdict::worst);
        return new Evaluation(overall, nodes, notPassed, Map.of(), Map.of(), inputs, List.of());
    }

    /** Nothing could be judged: no tool output was recognised. */
    public boolean evaluable() {
        return files > 0;
    }
}
