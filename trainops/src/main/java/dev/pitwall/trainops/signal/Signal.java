package dev.pitwall.trainops.signal;

import java.util.Map;

/**
 * One line a rule matched.
 *
 * @param line   1-based line number in its file
 * @param fields the rule's named groups that matched (xid, pci, pid, …)
 * @param text   the line, shortened
 */
public record Signal(String rule, String category, Severity severity, int line, Map<String, String> fields,
                     String meaning, String action, String text) {
}
