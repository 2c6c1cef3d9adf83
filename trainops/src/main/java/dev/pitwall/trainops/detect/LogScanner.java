package dev.pitwall.trainops.detect;

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

    public List<LineSignal> scan(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return scan(in);
        }
    }

    /** A log read from a stream (standard input) to its end; the stream is left open. */
    public List<LineSignal> scan(InputStream in) throws IOException {
        List<LineSignal> signals = new ArrayList<>();
        matcher.scan(in, signals::add);
        return signals;
    }
}
