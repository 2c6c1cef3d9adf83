package dev.pitwall.acceptance.verdict;

import java.util.List;
import java.util.Map;

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

    /** Nothing could be judged: no tool output was recognised. */
    public boolean evaluable() {
        return files > 0;
    }
}
