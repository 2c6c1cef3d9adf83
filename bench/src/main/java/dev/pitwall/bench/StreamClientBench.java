package dev.pitwall.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.stream.SseReader;
import dev.pitwall.gateway.upstream.Cancellation;
import dev.pitwall.gateway.upstream.UpstreamClients;
import io.helidon.webclient.api.HttpClientResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one open upstream stream costs the gateway's heap, by HTTP client: Helidon's WebClient as
 * the gateway uses it (its connections and a {@link SseReader} per stream, read on the request's
 * thread, none of its own)
 * against the JDK's HttpClient with a push subscriber (no thread per stream: the client's selector
 * reads every connection). STREAMS streams are opened to a server in a child process that sends
 * one event on each and holds it open; the heap's live bytes after a collection, less those before
 * the streams, are divided by STREAMS. Bounded: STREAMS streams per client, each held until the
 * figures are taken, then ended by the server.
 */
public final class StreamClientBench {

    private static final String EVENT = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\"Hello\"}}]}\n\n";
    private static final byte[] BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}"
            .getBytes(StandardCharsets.UTF_8);

    private static final int WARM_UP = 16;
    /** What the JDK client's subscriber hands over in place of a line when the stream fails. */
    private static final String FAILED = "failed: ";

    private StreamClientBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("serve")) {
            serve();
            return;
        }
        int streams = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        String classpath = System.getProperty("java.class.path");
        Process server = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", classpath,
                StreamClientBench.class.getName(), "serve").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader fromServer = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            int port = Integer.parseInt(fromServer.readLine().strip());
            OutputStream toServer = server.getOutputStream();
            URI url = URI.create("http://127.0.0.1:" + port);
            System.out.printf(Locale.ROOT, "Upstream stream memory: %d streams held open on loopback, %d cores, JDK %s%n",
                    streams, Runtime.getRuntime().availableProcessors(), Runtime.version());
            System.out.printf(Locale.ROOT, "%-40s %12s %12s%n", "client", "heap/stream", "heap MiB");
            report("Helidon WebClient, read on the caller's thread", streams, n -> helidon(url, n), toServer);
            report("JDK HttpClient + push subscriber", streams, n -> jdk(url, n), toServer);
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Opens this many streams and answers what reads them to their end and closes them. */
    private interface Opener {
        AutoCloseable open(int streams) throws Exception;
    }

    /** A few streams first, so that what a client sets up once is not counted per stream. */
    private static void report(String name, int streams, Opener opener, OutputStream toServer) throws Exception {
        end(opener.open(WARM_UP), toServer);
        long before = liveHeap();
        AutoCloseable held = opener.open(streams);
        long during = liveHeap();
        System.out.printf(Locale.ROOT, "%-40s %8.1f KiB %12.0f%n", name, (during - before) / 1024.0 / streams,
                (during - before) / 1048576.0);
        end(held, toServer);
    }

    private static void end(AutoCloseable held, OutputStream toServer) throws Exception {
        toServer.write("end\n".getBytes(StandardCharsets.UTF_8));
        toServer.flush();
        held.close();
    }

    /** The heap's used bytes after a full collection (two, for what the first left to finalise). */
    private static long liveHeap() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static AutoCloseable helidon(URI url, int streams) throws IOException {
        BackendConfig backend = BackendConfig.of("upstream", url.toString(), BackendKind.VLLM, List.of("m"), Map.of());
        UpstreamClients clients = new UpstreamClients(List.of(backend), Map.of());
        List<HttpClientResponse> responses = new ArrayList<>();
        List<SseReader> readers = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            HttpClientResponse response = clients.post(backend, new UpstreamClients.Post("/v1/chat/completions", BODY, true,
                    Map.of()), Duration.ofMinutes(5), new Cancellation());
            responses.add(response);
            SseReader reader = new SseReader(response.inputStream());
            readers.add(reader);
            firstEvent(reader.next()); // the server sends it at once
        }
        return () -> {
            for (SseReader reader : readers) {
                reader.next(); // [DONE]
            }
            responses.forEach(HttpClientResponse::close);
            clients.close();
        };
    }

    private static AutoCloseable jdk(URI url, int streams) throws Exception {
        HttpClient client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(url.resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build();
        List<BlockingQueue<String>> queues = new ArrayList<>();
        List<CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            BlockingQueue<String> events = new LinkedBlockingQueue<>();
            queues.add(events);
            answers.add(client.sendAsync(request, info -> HttpResponse.BodySubscribers.fromLineSubscriber(new Lines(events))));
        }
        for (BlockingQueue<String> queue : queues) {
            firstEvent(queue.poll(60, TimeUnit.SECONDS));
        }
        return () -> {
            for (CompletableFuture<HttpResponse<Void>> answer : answers) {
                answer.get(60, TimeUnit.SECONDS);
            }
            client.close();
        };
    }

    private static void firstEvent(String event) {
        if (event == null || event.startsWith(FAILED)) {
            throw new IllegalStateException("a stream did not start: " + event);
        }
    }

    /** Hands each non-empty line of a stream over, as the gateway's relay would take events. */
    private static final class Lines implements Flow.Subscriber<String> {
        private final BlockingQueue<String> events;

        Lines(BlockingQueue<String> events) {
            this.events = events;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (!line.isEmpty()) {
                events.add(line);
            }
        }

        @Override
        public void onError(Throwable failure) {
            events.add(FAILED + failure);
        }

        @Override
        public void onComplete() {
        }
    }

    /**
     * The child: an event stream on every request, its first event sent at once and the rest when
     * a line "end" comes on standard input (then the next streams wait for the next "end").
     */
    private static void serve() throws IOException {
        AtomicReference<CountDownLatch> held = new AtomicReference<>(new CountDownLatch(1));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", exchange -> stream(exchange, held.get()));
        server.start();
        System.out.println(server.getAddress().getPort());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            held.getAndSet(new CountDownLatch(1)).countDown();
        }
        server.stop(0);
    }

    private static void stream(HttpExchange exchange, CountDownLatch held) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write(EVENT.getBytes(StandardCharsets.UTF_8));
            out.flush();
            held.await();
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
