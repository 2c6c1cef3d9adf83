package dev.pitwall.server;

import dev.pitwall.server.cli.PitwallCommand;
import picocli.CommandLine;

/** {@code ./pitwall}: the command line. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    /** The command line for these arguments, in the JVM set up as {@code ./pitwall} sets it up. */
    static CommandLine commandLine(String... args) {
        // The console picocli asks about (is this a terminal, how wide): java.base's own. The
        // JDK's default provider would load the JShell console at every start (about 0.1 s).
        if (System.getProperty("jdk.console") == null) {
            System.setProperty("jdk.console", "java.base");
        }
        return PitwallCommand.commandLine(args);
    }
}
