package dev.pitwall.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/** A backend's event stream, as the network splits it: events whole, in order, each as soon as it is complete. */
class SseReaderTest {

    /** Hands out one chunk a read, as bytes come off a socket; a chunk larger than the reader's room is split. */
    private static final class Chunks extends InputStream {
        private final Deque<byte[]> chunks = new ArrayDeque<>();
        private final BlockingQueue<byte[]> later;

        Chunks(List<byte[]> now, BlockingQueue<byte[]> later) {
            chunks.addAll(now);
            this.later = later;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("the reader reads blocks");
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (chunks.isEmpty()) {
                if (later == null) {
                    return -1;
                }
                try {
                    byte[] next = later.take();
                    if (next.length == 0) {
                        return -1;
                    }
                    chunks.add(next);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            byte[] chunk = chunks.removeFirst();
            int n = Math.min(len, chunk.length);
            System.arraycopy(chunk, 0, b, off, n);
            if (n < chunk.length) {
                chunks.addFirst(Arrays.copyOfRange(chunk, n, chunk.length));
            }
            return n;
        }
    }

    private static List<String> events(List<byte[]> chunks) throws IOException {
        SseReader reader = new SseReader(new Chunks(chunks, null));
        List<String> out = new ArrayList<>();
        for (String data = reader.next(); data != null; data = reader.next()) {
            out.add(data);
        }
        out.add("(end)");
        return out;
    }

    /** The text's bytes cut at the given byte offsets. */
    private static List<byte[]> cut(String text, int... at) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int to : at) {
            out.add(Arrays.copyOfRange(bytes, from, to));
            from = to;
        }
        out.add(Arrays.copyOfRange(bytes, from, bytes.length));
        return out;
    }

    @Test
    void eventsComeWholeWhereverTheStreamIsCut() throws Exception {
        String stream = "data: {\"a\":\"é€\"}\r\n\r\n: keep-alive\n\ndata: one\r\ndata: two\r\rdata:{\"b\":1}\n\ndata: [DONE]\n\n";
        List<String> expected = List.of("{\"a\":\"é€\"}", "one\ntwo", "{\"b\":1}", "[DONE]", "(end)");
        int length = stream.getBytes(StandardCharsets.UTF_8).length;
        // Every cut point: inside a CRLF, between the bytes of é and of €, inside "data:".
        for (int at = 1; at < length; at++) {
            assertThat(events(cut(stream, at))).as("cut at byte %d", at).isEqualTo(expected);
        }
        assertThat(events(cut(stream))).isEqualTo(expected);
    }

    @Test
    void aLineLongerThanTheBufferAndALastEventWithoutItsBlankLineAreKept() throws Exception {
        String big = "x".repeat(10_000);
        assertThat(events(cut("data: " + big + "\n\ndata: tail", 3000, 7000)))
                .containsExactly(big, "tail", "(end)");
        assertThat(events(List.of())).containsExactly("(end)");
    }

    @Test
    void anEventIsHandedOverAsSoonAsItIsCompleteNotWhenMoreArrives() throws Exception {
        BlockingQueue<byte[]> later = new LinkedBlockingQueue<>();
        SseReader reader = new SseReader(new Chunks(List.of(), later));
        later.add("data: first\n".getBytes(StandardCharsets.UTF_8));
        later.add("\n".getBytes(StandardCharsets.UTF_8));
        // A reader that waited for more than the event would block here: the backend sends nothing more yet.
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), reader::next)).isEqualTo("first");
        later.add("data: second\n\n".getBytes(StandardCharsets.UTF_8));
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), reader::next)).isEqualTo("second");
        later.add(new byte[0]);
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), reader::next)).isNull();
    }
}
