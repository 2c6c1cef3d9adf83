package dev.pitwall.gateway.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An engine on a raw socket that sees what an HTTP server hides: which connection a request came
 * on and when the gateway closed it. It answers GETs (health checks) at once, and each POST as
 * its {@link Plan} says.
 */
final class RawBackend implements AutoCloseable {

    /** What the engine does with a POST. */
    enum Reply {
        ANSWER,
        /** Never answers; notes when the gateway closes the connection. */
        HANG,
        /** Closes the connection unanswered, as a server whose idle timeout passed just then. */
        CLOSE,
        /**
         * Starts an event stream with the role's event, as an engine does before its first token,
         * then sends nothing; notes when the gateway closes the connection.
         */
        STALL,
        /** Starts an event stream and sends nothing in it; notes when the gateway closes the connection. */
        SILENT
    }

    interface Plan {
        /**
         * @param post         the POST's number, counted from 1 over all connections
         * @param onConnection the request's number on its connection, counted from 1
         */
        Reply reply(int post, int onConnection);
    }

    private static final String CHAT_COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":0,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";

    private static final String ROLE_CHUNK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":0,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
            + "\"finish_reason\":null}]}";

    private final ServerSocket server;
    private final Plan plan;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger posts = new AtomicInteger();
    /** For the first hanging POST, once read: how many requests its connection had carried before. */
    final CompletableFuture<Integer> hangingAfter = new CompletableFuture<>();
    /** {@link System#nanoTime()} when a hanging or stalled POST's connection was closed by the gateway. */
    final CompletableFuture<Long> closedAt = new CompletableFuture<>();

    RawBackend(Plan plan) throws IOException {
        this.plan = plan;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    /** Answers the first POST; hangs on every later one. */
    static RawBackend hanging() throws IOException {
        return new RawBackend((post, onConnection) -> post == 1 ? Reply.ANSWER : Reply.HANG);
    }

    int connections() {
        return connections.get();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                int number = connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(socket, number));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket, int number) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int onConnection = 0;
            for (String head = head(in); head != null; head = head(in)) {
                in.readNBytes(contentLength(head));
                onConnection++;
                if (head.startsWith("GET ")) {
                    respond(out, "{}");
                    continue;
                }
                Reply reply = plan.reply(posts.incrementAndGet(), onConnection);
                switch (reply) {
                    case ANSWER -> respond(out, CHAT_COMPLETION);
                    case HANG -> {
                        hangingAfter.complete(onConnection - 1);
                        while (in.read() >= 0) {
                            // nothing more is expected until the gateway closes the connection
                        }
                        closedAt.complete(System.nanoTime());
                        return;
                    }
                    case CLOSE -> {
                        return;
                    }
                    case STALL, SILENT -> {
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                        if (reply == Reply.STALL) {
                            byte[] role = ("data: " + ROLE_CHUNK + "\n\n").getBytes(StandardCharsets.UTF_8);
                            out.write((Integer.toHexString(role.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                            out.write(role);
                            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        }
                        out.flush();
                        while (in.read() >= 0) {
                            // nothing more is sent or expected until the gateway closes the connection
                        }
                        closedAt.complete(System.nanoTime());
                        return;
                    }
                }
            }
        } catch (IOException e) {
            closedAt.complete(System.nanoTime()); // a reset is a close too
        }
    }

    /** A request's head up to its blank line, or null at the end of the connection. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                return text;
            }
        }
    }

    private static int contentLength(String head) {
        return head.lines().map(line -> line.toLowerCase(Locale.ROOT))
                .filter(line -> line.startsWith("content-length:"))
                .mapToInt(line -> Integer.parseInt(line.substring("content-length:".length()).trim()))
                .findFirst().orElse(0);
    }

    private static void respond(OutputStream out, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
