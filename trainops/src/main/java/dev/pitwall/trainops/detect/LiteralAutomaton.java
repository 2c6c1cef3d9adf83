package dev.pitwall.trainops.detect;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;

/**
 * Aho-Corasick over bytes: every rule's literals in one automaton, so one pass over a line finds
 * which rules may match it, whatever the number of rules. Built as a full transition table (a
 * DFA: one array read per byte); each state knows the rules whose literals end there.
 */
final class LiteralAutomaton {

    /** The transition table, row by row: next[state * 256 + byte]. */
    private final int[] next;
    private final long[][] outputs;
    private final boolean[] emitting;
    private final int words;

    /** @param literals per rule, ASCII */
    LiteralAutomaton(List<List<String>> literals) {
        words = Math.max(1, (literals.size() + 63) / 64);
        List<int[]> gotos = new ArrayList<>();
        List<long[]> outs = new ArrayList<>();
        gotos.add(filled());
        outs.add(new long[words]);
        for (int rule = 0; rule < literals.size(); rule++) {
            for (String literal : literals.get(rule)) {
                int state = 0;
                for (int i = 0; i < literal.length(); i++) {
                    int c = literal.charAt(i) & 0xFF;
                    if (gotos.get(state)[c] < 0) {
                        gotos.get(state)[c] = gotos.size();
                        gotos.add(filled());
                        outs.add(new long[words]);
                    }
                    state = gotos.get(state)[c];
                }
                outs.get(state)[rule >>> 6] |= 1L << (rule & 63);
            }
        }
        // Breadth first: each state's failure link, its outputs merged in, missing moves filled from the link.
        int[] fail = new int[gotos.size()];
        Queue<Integer> queue = new ArrayDeque<>();
        for (int c = 0; c < 256; c++) {
            int s = gotos.get(0)[c];
            if (s < 0) {
                gotos.get(0)[c] = 0;
            } else {
                fail[s] = 0;
                queue.add(s);
            }
        }
        while (!queue.isEmpty()) {
            int state = queue.poll();
            long[] own = outs.get(state);
            long[] inherited = outs.get(fail[state]);
            for (int w = 0; w < words; w++) {
                own[w] |= inherited[w];
            }
            for (int c = 0; c < 256; c++) {
                int s = gotos.get(state)[c];
                if (s < 0) {
                    gotos.get(state)[c] = gotos.get(fail[state])[c];
                } else {
                    fail[s] = gotos.get(fail[state])[c];
                    queue.add(s);
                }
            }
        }
        next = new int[gotos.size() * 256];
        for (int state = 0; state < gotos.size(); state++) {
            System.arraycopy(gotos.get(state), 0, next, state * 256, 256);
        }
        outputs = outs.toArray(long[][]::new);
        emitting = new boolean[outputs.length];
        for (int state = 0; state < outputs.length; state++) {
            for (long w : outputs[state]) {
                emitting[state] |= w != 0;
            }
        }
    }

    private static int[] filled() {
        int[] row = new int[256];
        Arrays.fill(row, -1);
        return row;
    }

    int start() {
        return 0;
    }

    int next(int state, int b) {
        return next[(state << 8) | (b & 0xFF)];
    }

    /** Whether some literal ends in {@code state}. */
    boolean emits(int state) {
        return emitting[state];
    }

    /** Adds the rules whose literals end in {@code state} to {@code candidates}. */
    void collect(int state, long[] candidates) {
        long[] out = outputs[state];
        for (int w = 0; w < words; w++) {
            candidates[w] |= out[w];
        }
    }

    long[] emptySet() {
        return new long[words];
    }
}
