package dev.pitwall.trainops.ingest;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Node names are host names as RFC 1123 writes them: dot-separated labels of letters, digits and
 * hyphens, each 1 to 63 long and neither starting nor ending with a hyphen, 253 characters in all.
 * A sender's name that is not one (a path, a blank, an injected string) is refused with its reason
 * rather than stored where reports and cordon actions would use it.
 */
final class NodeNames {

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final int MAX = 253;
    private static final int SHOWN = 60;

    private NodeNames() {
    }

    /** Why {@code node} is not a node name; empty when it is one. */
    static Optional<String> problem(String node) {
        if (node == null || node.isBlank()) {
            return Optional.of("node is missing: the host name of the node it comes from");
        }
        boolean valid = node.length() <= MAX && !node.endsWith(".");
        for (String label : node.split("\\.", -1)) {
            valid &= LABEL.matcher(label).matches();
        }
        if (valid) {
            return Optional.empty();
        }
        String shown = node.length() > SHOWN ? node.substring(0, SHOWN) + "…" : node;
        return Optional.of("node \"" + shown + "\" is not a host name (RFC 1123: letters, digits and hyphens in "
                + "dot-separated labels of at most 63 characters)");
    }
}
