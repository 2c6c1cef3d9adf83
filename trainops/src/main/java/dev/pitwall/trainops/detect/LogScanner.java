package dev.pitwall.trainops.detect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Reads a log as a stream of bytes (any size: one chunk and one line in memory at a time, per
 * part) and collects its signals. A large file is read in parts on the machine's cores at once;
 * the signals and their line numbers are those of one reading from start to end.
 */
public final class LogScanner {

    /** Smaller files are read in one go: a thread's start and a cold compiler cost more than they save. */
    private static final long MIN_PART_BYTES = 32L << 20;
    private static final int MAX_PARTS = 8;
    /** A line longer than this at a part's edge keeps the parts either side of it together. */
    private static final int MAX_EDGE_LINE = 1 << 20;

    private final LogMatcher matcher;
    private final int maxParts;
    private final long minPartBytes;

    public LogScanner(LogMatcher matcher) {
        this(matcher, Math.min(MAX_PARTS, Runtime.getRuntime().availableProcessors()), MIN_PART_BYTES);
    }

    LogScanner(LogMatcher matcher, int maxParts, long minPartBytes) {
        this.matcher = matcher;
        this.maxParts = maxParts;
        this.minPartBytes = minPartBytes;
    }

    public List<LineSignal> scan(Path file) throws IOException {
        // A pipe (a shell's <(zcat log.gz), a FIFO) has no size to cut into parts: it is read as a stream.
        if (!Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                return scan(in);
            }
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            List<Long> edges = edges(channel);
            // The first part is read on this thread, so a file of one part starts no other.
            List<FutureTask<Part>> parts = new ArrayList<>();
            for (int i = 0; i + 1 < edges.size(); i++) {
                long from = edges.get(i);
                long to = edges.get(i + 1);
                FutureTask<Part> part = new FutureTask<>(() -> part(channel, from, to));
                parts.add(part);
                if (i > 0) {
                    Thread.ofPlatform().name("pitwall-scan-" + i).daemon().start(part);
                }
            }
            parts.getFirst().run();
            List<LineSignal> signals = new ArrayList<>();
            int linesBefore = 0;
            for (FutureTask<Part> task : parts) {
                Part part = result(task);
                for (LineSignal s : part.signals()) {
                    signals.add(new LineSignal(s.line() + linesBefore, s.signal()));
                }
                linesBefore += part.lines();
            }
            return signals;
        }
    }

    /** A log read from a stream (standard input) to its end; the stream is left open. */
    public List<LineSignal> scan(InputStream in) throws IOException {
        List<LineSignal> signals = new ArrayList<>();
        matcher.scan(in, signals::add);
        return signals;
    }

    /** One part's signals, numbered from its first line, and how many lines it holds. */
    private record Part(List<LineSignal> signals, int lines) {
    }

    private Part part(FileChannel channel, long from, long to) throws IOException {
        List<LineSignal> signals = new ArrayList<>();
        int lines = matcher.scan(new Range(channel, from, to), signals::add);
        return new Part(signals, lines);
    }

    private static Part result(FutureTask<Part> task) throws IOException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the log", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Where the parts begin and end, first the file's start, last its end. Each inner edge is the
     * start of a line, moved past lines that may carry on a driver message: a part then starts on
     * a line that reads the same whatever came before it, and the message's lines stay together.
     */
    private List<Long> edges(FileChannel channel) throws IOException {
        long size = channel.size();
        int parts = (int) Math.max(1, Math.min(maxParts, size / Math.max(1, minPartBytes)));
        List<Long> edges = new ArrayList<>(List.of(0L));
        for (int i = 1; i < parts; i++) {
            long edge = lineStart(channel, size * i / parts, size);
            while (edge >= 0 && edge < size) {
                String line = lineAt(channel, edge, size);
                if (line == null) {
                    edge = -1;
                } else if (LogMatcher.continuesMessage(line)) {
                    edge += line.length();
                } else {
                    break;
                }
            }
            if (edge > edges.getLast() && edge < size) {
                edges.add(edge);
            }
        }
        edges.add(size);
        return edges;
    }

    /** Where the first line starting after {@code from} begins; {@code size} when none does. */
    private static long lineStart(FileChannel channel, long from, long size) throws IOException {
        ByteBuffer block = ByteBuffer.allocate(64 << 10);
        for (long at = from; at < size; ) {
            block.clear();
            int read = channel.read(block, at);
            if (read <= 0) {
                break;
            }
            for (int i = 0; i < read; i++) {
                if (block.get(i) == '\n') {
                    return at + i + 1;
                }
            }
            at += read;
        }
        return size;
    }

    /** The line at {@code start} with its line break, as the matcher reads text; null when it is longer than {@link #MAX_EDGE_LINE}. */
    private static String lineAt(FileChannel channel, long start, long size) throws IOException {
        long end = lineStart(channel, start, size);
        if (end - start > MAX_EDGE_LINE) {
            return null;
        }
        ByteBuffer line = ByteBuffer.allocate((int) (end - start));
        while (line.hasRemaining() && channel.read(line, start + line.position()) > 0) {
            // positional reads until the line is whole
        }
        return new String(line.array(), 0, line.position(), StandardCharsets.ISO_8859_1);
    }

    /** The bytes of a file from {@code from} to {@code to}, read at their positions so that parts share one channel. */
    private static final class Range extends InputStream {
        private final FileChannel channel;
        private long at;
        private final long to;

        Range(FileChannel channel, long from, long to) {
            this.channel = channel;
            this.at = from;
            this.to = to;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (at >= to) {
                return -1;
            }
            // A file cut short while it is read ends where it was cut, as a sequential reading would.
            int read = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, to - at)), at);
            if (read > 0) {
                at += read;
            }
            return read;
        }
    }
}
