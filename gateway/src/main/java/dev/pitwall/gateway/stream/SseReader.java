package dev.pitwall.gateway.stream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Reads a backend's event stream on a virtual thread of its own and hands each event over as it
 * completes, so the request's thread can wait for the next event with a deadline, keep the client
 * connection alive meanwhile, and close the upstream connection to stop the reader at any time.
 * The body is not closed here: read to its end it returns its connection to the pool by itself,
 * and closing it early would read the rest first.
 */
public final class SseReader {

    private SseReader() {
    }

    public static BlockingQueue<UpstreamEvent> start(InputStream body, String backend) {
        BlockingQueue<UpstreamEvent> events = new LinkedBlockingQueue<>();
        Thread.ofVirtual().name("sse-" + backend).start(() -> read(body, events));
        return events;
    }

    static void read(InputStream body, BlockingQueue<UpstreamEvent> events) {
        try {
            Lines lines = new Lines(body);
            StringBuilder data = null;
            String line;
            while ((line = lines.next()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new UpstreamEvent.Data(data.toString()));
                        data = null;
                    }
                } else if (line.startsWith("data:")) {
                    String value = line.length() > 5 && line.charAt(5) == ' ' ? line.substring(6) : line.substring(5);
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
                // Comments (":") and the other SSE fields (event, id, retry) carry nothing OpenAI clients use.
            }
            if (data != null) {
                events.add(new UpstreamEvent.Data(data.toString()));
            }
            events.add(new UpstreamEvent.Ended());
        } catch (IOException | RuntimeException e) {
            // RuntimeException too: the HTTP client reports a broken or closed connection unchecked.
            events.add(new UpstreamEvent.Failed(e));
        }
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
