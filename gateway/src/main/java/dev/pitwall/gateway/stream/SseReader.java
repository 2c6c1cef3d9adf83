package dev.pitwall.gateway.stream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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

    private static void read(InputStream body, BlockingQueue<UpstreamEvent> events) {
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            StringBuilder data = null;
            String line;
            while ((line = reader.readLine()) != null) {
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
}
