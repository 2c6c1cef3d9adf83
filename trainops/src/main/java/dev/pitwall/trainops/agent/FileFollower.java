package dev.pitwall.trainops.agent;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows one log file as {@code tail -F} does: reads whole lines as they are appended, starts
 * over when the file is truncated or replaced (log rotation), and waits while it is missing.
 * A line still being written (no newline yet) is read once it is complete.
 */
final class FileFollower {

    private static final int MAX_READ = 1 << 20;

    private final Path path;
    private final String source;
    private Object fileKey;
    private long position;
    private byte[] partial = new byte[0];

    /** @param fromEnd start at the end of what the file holds now (an existing log), or at its start (a new one) */
    FileFollower(Path path, String source, boolean fromEnd) throws IOException {
        this.path = path;
        this.source = source;
        if (Files.exists(path)) {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
            fileKey = attrs.fileKey();
            position = fromEnd ? attrs.size() : 0;
        }
    }

    String source() {
        return source;
    }

    Path path() {
        return path;
    }

    /** The complete lines appended since the last call. */
    List<String> poll() throws IOException {
        if (!Files.exists(path)) {
            return List.of();
        }
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        if (fileKey != null && !fileKey.equals(attrs.fileKey()) || attrs.size() < position) {
            // Rotated (a new file under the name) or truncated: read the new content from its start.
            position = 0;
            partial = new byte[0];
        }
        fileKey = attrs.fileKey();
        List<String> lines = new ArrayList<>();
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
            long available = file.length() - position;
            while (available > 0) {
                byte[] chunk = new byte[(int) Math.min(available, MAX_READ)];
                file.seek(position);
                file.readFully(chunk);
                position += chunk.length;
                available -= chunk.length;
                split(chunk, lines);
            }
        }
        return lines;
    }

    private void split(byte[] chunk, List<String> lines) {
        int start = 0;
        for (int i = 0; i < chunk.length; i++) {
            if (chunk[i] == '\n') {
                byte[] line = new byte[partial.length + i - start];
                System.arraycopy(partial, 0, line, 0, partial.length);
                System.arraycopy(chunk, start, line, partial.length, i - start);
                partial = new byte[0];
                String text = new String(line, StandardCharsets.UTF_8);
                lines.add(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
                start = i + 1;
            }
        }
        if (start < chunk.length) {
            byte[] rest = new byte[partial.length + chunk.length - start];
            System.arraycopy(partial, 0, rest, 0, partial.length);
            System.arraycopy(chunk, start, rest, partial.length, chunk.length - start);
            partial = rest;
        }
    }
}
