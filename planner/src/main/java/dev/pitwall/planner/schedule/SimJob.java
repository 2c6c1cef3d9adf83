package dev.pitwall.planner.schedule;

/**
 * One job of a trace: when it was submitted, how long it runs once started, and its tasks (all
 * started together: a gang), each on one node.
 *
 * @param queue         whose it is: the tenant, virtual cluster or queue that fair sharing is between
 * @param submitSeconds from the trace's start
 */
public record SimJob(String id, String queue, long submitSeconds, long durationSeconds, int tasks, int gpusPerTask,
                     int cpusPerTask, int memoryGbPerTask) {

    public SimJob {
        if (tasks < 1 || gpusPerTask < 0 || cpusPerTask < 0 || memoryGbPerTask < 0 || durationSeconds < 0) {
            throw new IllegalArgumentException("job " + id + ": tasks, sizes and duration must not be negative "
                    + "(and there is at least one task)");
        }
    }

    public int gpus() {
        return tasks * gpusPerTask;
    }
}
