package dev.pitwall.gateway.stream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a backend's event stream one event at a time, on the caller's thread: a stream needs no
 * thread of its own beside its request's (the {@link StreamWatch} keeps its deadlines and its
 * client's heartbeat meanwhile). The body is not closed here: read to its end it returns its
 * connection to the pool by itself.
 */
public final class SseReader {

    private final Lines lines;

    public SseReader(InputStream body) {
        this.lines = new Lines(body);
    }

    /**
     * The next event's data, its {@code data:} lines joined ({@code [DONE]} as sent); null when the
     * backend ended the stream. Fails as the connection does: broken, timed out, or closed by the
     * gateway (unchecked, as the HTTP client reports it, or an {@link IOException}).
     */
    public String next() throws IOException {
        StringBuilder data = null;
        String line;
        while ((line = lines.next()) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    return data.toString();
                }
            } else if (line.startsWith("data:")) {
                String value = line.length() > 5 && line.charAt(5) == ' ' ? line.substring(6) : line.substring(5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
            // Comments (":") and the other SSE fields (event, id, retry) carry nothing OpenAI clients use.
        }
        return data == null ? null : data.toString();
    }

    /**
     * The stream's lines, ended by CRLF, LF or CR as the SSE format allows, each decoded as UTF-8
     * once it is whole. The buffer starts small and grows only for a longer line: a reader and
     * decoder of 8,192 characters each came to 24 KiB a stream, a quarter gigabyte at 10,000.
     */
    static final class Lines {
        private static final int INITIAL = 1024;

        private final InputStream in;
        private byte[] buffer = new byte[INITIAL];
        private int start;
        private int end;
        /** A CR ended the last line: an LF right after it belongs to that line's ending. */
        private boolean afterCr;

        Lines(InputStream in) {
            this.in = in;
        }

        /** The next line without its ending; null at the end of the stream (a last unended line included first). */
        String next() throws IOException {
            int searched = 0;
            while (true) {
                if (afterCr && start < end) {
                    afterCr = false;
                    if (buffer[start] == '\n') {
                        start++;
                    }
                }
                for (int i = start + searched; i < end; i++) {
                    byte b = buffer[i];
                    if (b == '\n' || b == '\r') {
                        String line = new String(buffer, start, i - start, StandardCharsets.UTF_8);
                        afterCr = b == '\r';
                        start = i + 1;
                        return line;
                    }
                }
                searched = end - start;
                if (!fill()) {
                    if (start == end) {
                        return null;
                    }
                    String last = new String(buffer, start, end - start, StandardCharsets.UTF_8);
                    start = end;
                    return last;
                }
            }
        }

        /** Reads more after what is buffered, moving or growing the buffer for room; false at the end of the stream. */
        private boolean fill() throws IOException {
            if (start > 0) {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            int read = in.read(buffer, end, buffer.length - end);
            if (read < 0) {
                return false;
            }
            end += read;
            return true;
        }
    }
}
