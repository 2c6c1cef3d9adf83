package dev.pitwall.server;

import dev.pitwall.server.cli.PitwallCommand;

/** {@code ./pitwall}: the command line. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // The console picocli asks about (is this a terminal, how wide): java.base's own. The
        // JDK's default provider would load the JShell console at every start (about 0.1 s).
        if (System.getProperty("jdk.console") == null) {
            System.setProperty("jdk.console", "java.base");
        }
        System.exit(PitwallCommand.commandLine(args).execute(args));
    }
}
