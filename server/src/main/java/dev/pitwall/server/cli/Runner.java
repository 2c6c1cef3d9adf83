package dev.pitwall.server.cli;

import dev.pitwall.server.LogSetup;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * Starts Pitwall, says where it can be reached, and keeps it running until the process is
 * told to stop (Ctrl-C, SIGTERM); then it shuts down in order and says so.
 */
final class Runner {

    private Runner() {
    }

    static int runUntilStopped(String heading, PitwallConfig config, PrintWriter out, PrintWriter err) {
        return runUntilStopped(heading, config, List.of(), pitwall -> List.of(), out, err);
    }

    /**
     * @param companions started before Pitwall, closed after it (the demo's simulated engines)
     * @param afterStart work once Pitwall runs; returns lines to print after the addresses
     */
    static int runUntilStopped(String heading, PitwallConfig config, List<? extends AutoCloseable> companions,
                               Function<Pitwall, List<String>> afterStart, PrintWriter out, PrintWriter err) {
        LogSetup.apply(config.logging(), config.dataDir());
        Pitwall pitwall;
        try {
            pitwall = Pitwall.start(config, Clock.systemUTC());
        } catch (RuntimeException e) {
            err.println("pitwall: cannot start: " + rootMessage(e));
            err.flush();
            closeAll(companions);
            return PitwallCommand.EXIT_FAILED;
        }
        Runnable stop = () -> {
            out.println("Stopping: finishing requests in flight (up to "
                    + config.server().shutdownGrace().toSeconds() + " s), then closing the store.");
            out.flush();
            pitwall.close();
            closeAll(companions);
            out.println("Pitwall stopped.");
            out.flush();
        };
        URI console = pitwall.consoleUri(config.server());
        out.println(heading);
        out.println("  console  " + console);
        out.println("  health   " + console.resolve("/health/ready"));
        out.println("  metrics  " + console.resolve("/metrics"));
        out.println("  storage  " + pitwall.database().describe());
        out.println("  data     " + config.dataDir().toAbsolutePath().normalize());
        afterStart.apply(pitwall).forEach(out::println);
        out.println("Press Ctrl-C to stop.");
        out.flush();
        awaitShutdown(stop);
        return 0;
    }

    /**
     * Blocks until the process is told to stop (Ctrl-C, SIGTERM), then runs {@code stop} before
     * the JVM exits. The JVM runs it on its shutdown-hook thread; this thread only waits.
     */
    static void awaitShutdown(Runnable stop) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            stopped.countDown();
        }, "pitwall-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeAll(List<? extends AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                // shutting down: one failure must not keep the others open
            }
        }
    }

    static String rootMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && (message == null || !message.contains(cause.getMessage()))) {
                message = (message == null ? "" : message + ": ") + cause.getMessage();
            }
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
