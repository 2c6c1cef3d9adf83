package dev.pitwall.acceptance.verdict;

/** How a check, a node or a cluster came out; later constants are worse. */
public enum Verdict {
    PASS, WARN, FAIL;

    public Verdict worst(Verdict other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
