package dev.pitwall.trainops.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log read in parts on several cores gives the signals, and line numbers, of one reading from start to end. */
class LogScannerTest {

    private final LogMatcher matcher = new LogMatcher(RuleCatalog.builtIn());

    @TempDir
    Path dir;

    /** Driver messages over several lines, lone faults and quiet lines, as dmesg and a training job write them. */
    private static String log(Random random, int lines) {
        StringBuilder log = new StringBuilder();
        for (int n = 0; n < lines; n++) {
            switch (random.nextInt(12)) {
                case 0 -> log.append("[ 7551.181820] NVRM: The NVIDIA GPU 0000:b").append(random.nextInt(10)).append(":00.0\n")
                        .append("[ 7551.181820] NVRM: (PCI ID: 10de:2330) installed in this system has\n")
                        .append("[ 7551.181821] NVRM: fallen off the bus and is not responding to commands.\n");
                case 1 -> log.append("NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, name=python, GPU has fallen off the bus.\n");
                case 2 -> log.append(" iteration ").append(n).append("/ 100000 | lm loss: nan | loss scale: 1.0 |\n");
                case 3 -> log.append("[ 7552.000000] NVRM: The NVIDIA GPU 0000:c1:00.0\n");
                default -> log.append("[ 7552.000001] systemd[1]: Started Session ").append(n).append(" of user root.\n");
            }
        }
        return log.toString();
    }

    private List<String> described(List<LineSignal> signals) {
        return signals.stream().map(s -> s.line() + " " + s.signal().rule() + " " + s.signal().fields()).toList();
    }

    @Test
    void partsReadOnSeveralCoresGiveTheSignalsOfOneReading() throws Exception {
        Random random = new Random(11);
        for (int round = 0; round < 40; round++) {
            String text = log(random, 40 + random.nextInt(200));
            if (random.nextBoolean()) {
                text += "NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=x, no line break at the end";
            }
            Path file = Files.writeString(dir.resolve("log-" + round), text, StandardCharsets.ISO_8859_1);
            List<LineSignal> whole;
            try (InputStream in = Files.newInputStream(file)) {
                whole = new LogScanner(matcher).scan(in);
            }
            assertThat(whole).as("the log has signals to compare").isNotEmpty();
            // Parts of a few hundred bytes: every part edge lands somewhere in the messages above.
            for (int parts = 2; parts <= 7; parts++) {
                List<LineSignal> inParts = new LogScanner(matcher, parts, 1).scan(file);
                assertThat(described(inParts)).as("round %d in %d parts", round, parts).isEqualTo(described(whole));
            }
        }
    }

    @Test
    void aPartEdgeInsideAMessageKeepsItsLinesTogether() throws Exception {
        // The middle of the file falls on the message's second line; read in two parts it is still one signal.
        String quiet = "[ 7552.000001] systemd[1]: Started Session 4 of user root.\n".repeat(3);
        String message = """
                [ 7551.181820] NVRM: The NVIDIA GPU 0000:b3:00.0
                [ 7551.181820] NVRM: (PCI ID: 10de:2330) installed in this system has
                [ 7551.181821] NVRM: fallen off the bus and is not responding to commands.
                """;
        Path file = Files.writeString(dir.resolve("dmesg.log"), quiet + message + quiet);
        assertThat(described(new LogScanner(matcher, 2, 1).scan(file)))
                .containsExactly("6 gpu-fallen-off-bus {pci=0000:b3:00.0}");
    }

    @Test
    void aPipeIsReadAsAStream() throws Exception {
        // As a shell hands over <(zcat dmesg.log.gz): a path with no size.
        Path fifo = dir.resolve("fifo");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo is available");
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                Files.writeString(fifo, "systemd[1]: Started Session 4 of user root.\n"
                        + "NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=x, GPU has fallen off the bus.\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(described(new LogScanner(matcher, 4, 1).scan(fifo))).containsExactly("2 xid {pci=0000:3b:00, xid=79, pid=1, process=x}");
        writer.join();
    }
}
