package dev.pitwall.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The run the launcher makes its AOT cache from (JDK 25+, {@code -XX:AOTCacheOutput}): short
 * commands of each kind a user runs, so that the classes they need (the whole command tree, the
 * YAML reader, the fault catalog and its scanner, the GPU catalog, the logging set up on exit)
 * start loaded and linked. What the commands write is discarded; one that does not end as it
 * should stops the training, so that the launcher goes without a cache rather than keep one made
 * from a failing run.
 */
public final class StartupTraining {

    private StartupTraining() {
    }

    public static void main(String[] args) throws IOException {
        train();
        // As every command ends: the JVM asks the platform's logger whether to log the exit,
        // which sets up logging (SLF4J's bridge and logback), so those classes are cached too.
        System.exit(0);
    }

    /** The commands of the training run, each checked for its exit status. */
    static void train() throws IOException {
        Path log = Files.createTempFile("pitwall-training", ".log");
        try {
            Files.writeString(log, "[Sun Feb 23 16:24:18 2025] NVRM: Xid (PCI:0000:9b:00): 79, pid=1, name=python, "
                    + "GPU has fallen off the bus.\n");
            run(0, "--help");
            run(1, "detect", log.toString());
            run(1, "detect", "--format", "json", log.toString());
            run(0, "plan", "compat", "--gpu", "h100-sxm", "--precision", "fp8");
        } finally {
            Files.delete(log);
        }
    }

    private static void run(int expectedExit, String... args) {
        int exit = Main.commandLine(args).setOut(new PrintWriter(Writer.nullWriter()))
                .setErr(new PrintWriter(Writer.nullWriter())).execute(args);
        if (exit != expectedExit) {
            throw new IllegalStateException("pitwall " + String.join(" ", args) + " exited " + exit + ", expected "
                    + expectedExit);
        }
    }
}
