package dev.pitwall.trainops.signal;

import java.util.Map;

/**
 * What a detection rule or condition found: which rule, how bad, what it means and what to do.
 *
 * @param fields the rule's named groups that matched (xid, pci, pid, …)
 * @param text   the line, shortened
 */
public record Signal(String rule, String category, Severity severity, Map<String, String> fields,
                     String meaning, String action, String text) {
}
