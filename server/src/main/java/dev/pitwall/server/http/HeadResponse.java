package dev.pitwall.server.http;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.ServerResponseTrailers;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * The response of a GET handler answering a HEAD request: the same status and headers, the
 * entity's length in {@code Content-Length}, and no entity.
 */
final class HeadResponse implements ServerResponse {

    private final ServerResponse response;

    HeadResponse(ServerResponse response) {
        this.response = response;
    }

    @Override
    public void send(byte[] entity) {
        withoutEntity(entity.length);
    }

    @Override
    public void send(Object entity) {
        if (entity instanceof byte[] bytes) {
            send(bytes);
        } else if (entity instanceof String text) {
            send(text.getBytes(StandardCharsets.UTF_8));
        } else {
            response.send();
        }
    }

    @Override
    public OutputStream outputStream() {
        // A streamed entity is counted, never written; its length is known when the stream closes.
        return new OutputStream() {
            private long length;
            private boolean closed;

            @Override
            public void write(int b) {
                length++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                length += len;
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    withoutEntity(length);
                }
            }
        };
    }

    private void withoutEntity(long length) {
        response.header(HeaderNames.CONTENT_LENGTH, Long.toString(length));
        response.send();
    }

    @Override
    public ServerResponse status(Status status) {
        response.status(status);
        return this;
    }

    @Override
    public Status status() {
        return response.status();
    }

    @Override
    public ServerResponse header(Header header) {
        response.header(header);
        return this;
    }

    @Override
    public void send() {
        response.send();
    }

    @Override
    public boolean isSent() {
        return response.isSent();
    }

    @Override
    public long bytesWritten() {
        return 0;
    }

    @Override
    public ServerResponse whenSent(Runnable listener) {
        response.whenSent(listener);
        return this;
    }

    @Override
    public ServerResponse reroute(String path) {
        response.reroute(path);
        return this;
    }

    @Override
    public ServerResponse reroute(String path, UriQuery query) {
        response.reroute(path, query);
        return this;
    }

    @Override
    public ServerResponse next() {
        response.next();
        return this;
    }

    @Override
    public ServerResponseHeaders headers() {
        return response.headers();
    }

    @Override
    public ServerResponseTrailers trailers() {
        return response.trailers();
    }

    @Override
    public void streamResult(String result) {
        response.streamResult(result);
    }

    @Override
    public void streamFilter(UnaryOperator<OutputStream> filterFunction) {
        response.streamFilter(filterFunction);
    }
}
