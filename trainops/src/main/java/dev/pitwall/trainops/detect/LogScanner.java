package dev.pitwall.trainops.detect;

import dev.pitwall.trainops.signal.Signal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a log file as a stream of bytes (any size: one chunk and one line in memory at a time) and collects its signals. */
public final class LogScanner {

    private final LogMatcher matcher;

    public LogScanner(LogMatcher matcher) {
        this.matcher = matcher;
    }

    public List<Signal> scan(Path file) throws IOException {
        List<Signal> signals = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            matcher.scan(in, signals::add);
        }
        return signals;
    }
}
