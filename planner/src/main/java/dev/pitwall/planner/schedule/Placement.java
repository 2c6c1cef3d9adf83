package dev.pitwall.planner.schedule;

/** How a job's tasks are split over topology domains. */
public final class Placement {

    private Placement() {
    }

    /**
     * Splits {@code tasks} over domains that have room for {@code free[i]} each, in the order given.
     * Greedy fills each domain before the next (10 + 2 for 12 tasks over two domains of 10);
     * balanced takes the fewest domains that hold the job and spreads it evenly over them (6 + 6),
     * as Kueue's balanced placement does. Empty when the domains together cannot hold it.
     */
    public static int[] split(int tasks, int[] free, boolean balanced) {
        int[] out = new int[free.length];
        long room = 0;
        for (int f : free) {
            room += f;
        }
        if (room < tasks) {
            return null;
        }
        if (!balanced) {
            int left = tasks;
            for (int i = 0; i < free.length && left > 0; i++) {
                out[i] = Math.min(free[i], left);
                left -= out[i];
            }
            return out;
        }
        int used = 0;
        long sum = 0;
        while (sum < tasks) {
            sum += free[used++];
        }
        // Water-filling over the first `used` domains: even shares, a full domain's remainder to the others.
        int left = tasks;
        boolean[] full = new boolean[used];
        int open = used;
        while (left > 0) {
            int share = Math.max(1, left / open);
            int extra = left % open;
            for (int i = 0; i < used && left > 0; i++) {
                if (full[i]) {
                    continue;
                }
                int want = Math.min(share + (extra-- > 0 ? 1 : 0), left);
                int take = Math.min(want, free[i] - out[i]);
                out[i] += take;
                left -= take;
                if (out[i] == free[i]) {
                    full[i] = true;
                    open--;
                }
            }
            if (open == 0) {
                break;
            }
        }
        return out;
    }
}
