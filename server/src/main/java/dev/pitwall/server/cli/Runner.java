package dev.pitwall.server.cli;

import dev.pitwall.server.LogSetup;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Pitwall, says where it can be reached, and keeps it running until the process is
 * told to stop (Ctrl-C, SIGTERM); then it shuts down in order and says so.
 */
final class Runner {

    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

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
        // With JSON logging every line on standard output is a JSON object: the banner goes out as log events.
        Consumer<String> say = config.logging().format().equals("json") ? LOG::info : line -> {
            out.println(line);
            out.flush();
        };
        Runnable stop = () -> {
            say.accept("Stopping: finishing requests in flight (up to " + config.server().shutdownGrace().toSeconds()
                    + " s), then closing the store.");
            pitwall.close();
            closeAll(companions);
            say.accept("Pitwall stopped.");
        };
        URI console = pitwall.consoleUri(config.server());
        List<String> banner = new ArrayList<>(List.of(heading, "  console  " + console,
                "  health   " + console.resolve("/health/ready"), "  metrics  " + console.resolve("/metrics"),
                "  storage  " + pitwall.database().describe(),
                "  data     " + config.dataDir().toAbsolutePath().normalize()));
        banner.addAll(afterStart.apply(pitwall));
        banner.add("Press Ctrl-C to stop.");
        banner.forEach(say);
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
