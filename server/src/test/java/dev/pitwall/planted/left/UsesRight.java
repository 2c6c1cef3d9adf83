package dev.pitwall.planted.left;

import dev.pitwall.planted.right.UsesLeft;

/** Half of a deliberate package cycle, for the test that the architecture rules refuse one. */
public final class UsesRight {

    public UsesLeft other() {
        return new UsesLeft();
    }
}
