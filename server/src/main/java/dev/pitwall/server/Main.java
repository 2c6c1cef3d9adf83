package dev.pitwall.server;

import dev.pitwall.server.cli.PitwallCommand;
import picocli.CommandLine;

/** {@code ./pitwall}: the command line. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(PitwallCommand.commandLine().execute(args));
    }
}
