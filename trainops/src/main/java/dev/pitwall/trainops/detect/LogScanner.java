package dev.pitwall.trainops.detect;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a log file line by line (any size: one line in memory at a time) and collects its signals. */
public final class LogScanner {

    private final LogMatcher matcher;

    public LogScanner(LogMatcher matcher) {
        this.matcher = matcher;
    }

    public List<Signal> scan(Path file) throws IOException {
        List<Signal> signals = new ArrayList<>();
        // ISO-8859-1 reads every byte: kernel logs carry the odd invalid UTF-8 sequence.
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                matcher.match(line, number).ifPresent(signals::add);
            }
        }
        return signals;
    }
}
