package dev.pitwall.acceptance.run;

/**
 * How one step went on one node.
 *
 * @param exitCode the command's exit status, or -1 when it was stopped at its time budget or could not start
 * @param error    why it could not start, or null
 */
public record StepResult(String node, String step, String output, int exitCode, boolean timedOut, double seconds,
                         String error) {

    public boolean ok() {
        return exitCode == 0 && !timedOut && error == null;
    }
}
