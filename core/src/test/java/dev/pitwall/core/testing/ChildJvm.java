package dev.pitwall.core.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a class of the test classpath in a separate JVM, as a user or a crash would see it. */
public final class ChildJvm {

    private ChildJvm() {
    }

    public static ProcessBuilder command(Class<?> mainClass, List<String> args) {
        // Surefire runs tests from a manifest-only jar; it names the real classpath here.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass.getName());
        command.addAll(args);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    public static Process start(Class<?> mainClass, List<String> args) throws IOException {
        return command(mainClass, args).start();
    }
}
