package dev.pitwall.trainops.check.verdict;

import java.util.List;
import java.util.Map;

/**
 * The verdict on a folder of results.
 *
 * @param nodes    each node's verdict
 * @param findings everything that was not a pass, worst first
 * @param files    tool outputs read
 * @param unread   files no parser recognised
 */
public record Evaluation(Verdict verdict, Map<String, Verdict> nodes, List<Finding> findings, int files,
                         List<String> unread) {

    /** Nothing could be judged: no tool output was recognised. */
    public boolean evaluable() {
        return files > 0;
    }
}
