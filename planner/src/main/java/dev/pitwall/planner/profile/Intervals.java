package dev.pitwall.planner.profile;

import java.util.Arrays;

/**
 * Time intervals in nanoseconds, kept in two primitive arrays so that millions of kernels cost
 * 16 bytes each and no objects; {@link #merged()} sorts and joins overlapping ones.
 */
final class Intervals {

    private long[] starts = new long[1024];
    private long[] ends = new long[1024];
    private int size;

    void add(long start, long end) {
        if (end <= start) {
            return;
        }
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            ends = Arrays.copyOf(ends, size * 2);
        }
        starts[size] = start;
        ends[size] = end;
        size++;
    }

    void addAll(Intervals other) {
        for (int i = 0; i < other.size; i++) {
            add(other.starts[i], other.ends[i]);
        }
    }

    int size() {
        return size;
    }

    long start(int i) {
        return starts[i];
    }

    long end(int i) {
        return ends[i];
    }

    /**
     * The union as disjoint intervals in time order. Starts and ends are sorted apart (primitive
     * sorts, no objects) and swept: the union opens where the depth goes from 0 to 1 and closes
     * where it comes back to 0.
     */
    Intervals merged() {
        long[] s = Arrays.copyOf(starts, size);
        long[] e = Arrays.copyOf(ends, size);
        Arrays.sort(s);
        Arrays.sort(e);
        Intervals out = new Intervals();
        int depth = 0;
        int i = 0;
        int j = 0;
        long open = 0;
        while (j < size) {
            if (i < size && s[i] <= e[j]) {
                if (depth++ == 0) {
                    open = s[i];
                }
                i++;
            } else {
                if (--depth == 0) {
                    out.add(open, e[j]);
                }
                j++;
            }
        }
        return out;
    }

    /** Total length; the intervals must be merged. */
    long length() {
        long total = 0;
        for (int i = 0; i < size; i++) {
            total += ends[i] - starts[i];
        }
        return total;
    }

    /** Length of the overlap between two merged sets. */
    static long overlap(Intervals a, Intervals b) {
        long total = 0;
        int i = 0;
        int j = 0;
        while (i < a.size && j < b.size) {
            long lo = Math.max(a.starts[i], b.starts[j]);
            long hi = Math.min(a.ends[i], b.ends[j]);
            if (hi > lo) {
                total += hi - lo;
            }
            if (a.ends[i] < b.ends[j]) {
                i++;
            } else {
                j++;
            }
        }
        return total;
    }

    /** The gaps of a merged set inside [from, to). */
    Intervals gaps(long from, long to) {
        Intervals out = new Intervals();
        long cursor = from;
        for (int i = 0; i < size; i++) {
            out.add(cursor, Math.min(starts[i], to));
            cursor = Math.max(cursor, ends[i]);
        }
        out.add(cursor, to);
        return out;
    }
}
