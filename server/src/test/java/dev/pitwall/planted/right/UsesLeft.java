package dev.pitwall.planted.right;

import dev.pitwall.planted.left.UsesRight;

/** The other half of the deliberate package cycle. */
public final class UsesLeft {

    public UsesRight other() {
        return new UsesRight();
    }
}
