package dev.pitwall.server.http;

import dev.pitwall.core.http.ApiError;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the connections Helidon's HTTP/1.1 listener would close without a word: a request line
 * of another HTTP version (1.0, 2.0), one that is not a request line at all, and one longer than
 * the listener reads (a 20 KB URL). Each gets a JSON error (505, 400 or 414) and one log line,
 * then the connection closes. Put first among the listener's selectors: it declines every line
 * that HTTP/1.1 serves, so those go on to Helidon's own selector.
 */
public final class RefusedRequestLines implements ServerConnectionSelector {

    private static final Logger LOG = LoggerFactory.getLogger(RefusedRequestLines.class);
    /** What Helidon's HTTP/1.1 selector takes: a line ending in " HTTP/1.1", then its own parser judges it. */
    private static final Pattern HTTP_11 = Pattern.compile(".* HTTP/1\\.1\r?");
    private static final Pattern OTHER_VERSION = Pattern.compile("\\S+ \\S+ HTTP/(\\d+(?:\\.\\d+)?)\r?");
    /** How much of a refused line the log shows. */
    private static final int SHOWN = 80;

    private final int maxRequestLine;

    /**
     * @param maxRequestLine the longest request line the HTTP/1.1 listener reads (its max prologue length)
     */
    public RefusedRequestLines(int maxRequestLine) {
        this.maxRequestLine = maxRequestLine;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData data) {
        int newline = data.indexOf((byte) '\n');
        if (newline == -1) {
            return data.available() > maxRequestLine ? Support.SUPPORTED : Support.UNKNOWN;
        }
        String line = data.readString(newline, StandardCharsets.ISO_8859_1);
        return newline <= maxRequestLine && HTTP_11.matcher(line).matches() ? Support.UNSUPPORTED : Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of();
    }

    @Override
    public ServerConnection connection(ConnectionContext context) {
        return new Refusal(context, maxRequestLine);
    }

    /** Why a request line is refused: the status, a stable code, and what the client is told. */
    record Reason(Status status, String code, String message) {

        static Reason of(String head, int maxRequestLine) {
            int newline = head.indexOf('\n');
            if (newline == -1 || newline > maxRequestLine) {
                return new Reason(Status.REQUEST_URI_TOO_LONG_414, "request_line_too_long",
                        ErrorResponses.REQUEST_LINE_TOO_LONG);
            }
            var version = OTHER_VERSION.matcher(head.substring(0, newline));
            if (version.matches()) {
                return new Reason(Status.HTTP_VERSION_NOT_SUPPORTED_505, "http_version_not_supported", "HTTP/"
                        + version.group(1) + " is not served here: send HTTP/1.1 (curl and the OpenAI clients do; behind "
                        + "nginx, set proxy_http_version 1.1)");
            }
            return new Reason(Status.BAD_REQUEST_400, "bad_request_line",
                    "not an HTTP request line: expected \"METHOD /path HTTP/1.1\"");
        }
    }

    private static final class Refusal implements ServerConnection {
        private final ConnectionContext context;
        private final int maxRequestLine;

        Refusal(ConnectionContext context, int maxRequestLine) {
            this.context = context;
            this.maxRequestLine = maxRequestLine;
        }

        @Override
        public void handle(Semaphore requestSemaphore) {
            DataReader reader = context.dataReader();
            String head = reader.getBuffer(Math.min(reader.available(), maxRequestLine + 2))
                    .readString(Math.min(reader.available(), maxRequestLine + 2), StandardCharsets.ISO_8859_1);
            Reason reason = Reason.of(head, maxRequestLine);
            // Logged before answering, so the line is written by the time the client has its answer.
            String shown = head.lines().findFirst().orElse("").strip();
            LOG.info("refused a connection from {}:{}: {} for \"{}\"", context.remotePeer().host(), context.remotePeer().port(),
                    reason.status().code(), shown.length() > SHOWN ? shown.substring(0, SHOWN) + "…" : shown);
            // The client sent no valid request: the fault is the request's, whatever the status class.
            byte[] body = new ApiError(reason.status(), "invalid_request_error", reason.message(), null, reason.code()).body();
            String response = "HTTP/1.1 " + reason.status().code() + " " + reason.status().reasonPhrase() + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            context.dataWriter().writeNow(BufferData.create(response.getBytes(StandardCharsets.ISO_8859_1)),
                    BufferData.create(body));
        }

        @Override
        public Duration idleTime() {
            return Duration.ZERO;
        }

        @Override
        public void close(boolean interrupt) {
            // Nothing held: the handler closes the socket once handle returns.
        }
    }
}
