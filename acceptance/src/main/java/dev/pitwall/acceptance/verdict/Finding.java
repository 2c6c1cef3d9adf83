package dev.pitwall.acceptance.verdict;

/**
 * One thing found about one node.
 *
 * @param check    what was checked ({@code consistency.driver_version}, {@code fleet.nccl.all_reduce_perf.avg_busbw})
 * @param value    what the node has
 * @param expected what the rest of the fleet has (the majority, or the median)
 * @param detail   the evidence, for a person
 */
public record Finding(String node, String check, Verdict verdict, String value, String expected, String detail) {
}
