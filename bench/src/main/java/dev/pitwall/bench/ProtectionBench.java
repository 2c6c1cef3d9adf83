package dev.pitwall.bench;

import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.BackendTimeouts;
import dev.pitwall.gateway.config.BatchingConfig;
import dev.pitwall.gateway.config.ConcurrencyConfig;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.config.LimitAlgorithm;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.sim.engine.EngineProfile;
import dev.pitwall.sim.engine.SimEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The gateway's protections under load, on loopback, each phase bounded in time:
 * <ol>
 *   <li>streams at 2× and 10× the engine's capacity, through a gateway with adaptive
 *       concurrency and its queue, and through one without (every request passed on, as a plain
 *       proxy does): goodput (completion tokens per second of answers whose first token came
 *       within the SLO), p99 latency, answers by status;
 *   <li>embeddings at 1, 16 and 64 concurrent callers with and without micro-batching:
 *       upstream calls, throughput and p99 latency.
 * </ol>
 * Clients behave as good clients do: on 429 or 503 they wait Retry-After before the next try.
 * Everything runs in this JVM; the figures compare the two configurations of one run.
 */
public final class ProtectionBench {

    private static final String MODEL = "bench-llm";
    private static final String EMBEDDING_MODEL = "bench-embed";
    /** The engine decodes this many streams at once; more wait in its queue. */
    private static final int CAPACITY = 16;
    /** An answer whose first token came later than this misses its SLO. */
    private static final Duration FIRST_TOKEN_SLO = Duration.ofSeconds(2);
    /** A client gives up on a request after this. */
    private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(20);

    private final HttpClient client = HttpClient.newBuilder()
            .executor(Executors.newVirtualThreadPerTaskExecutor()).build();

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path work = Path.of(args.length > 1 ? args[1] : "target/bench/protection");
        Files.createDirectories(work);
        new ProtectionBench().run(Duration.ofSeconds(seconds), work);
        System.exit(0);
    }

    private void run(Duration phase, Path work) throws Exception {
        Path profile = work.resolve("profile.yaml");
        Files.writeString(profile, """
                model: %s
                embedding-model: %s
                max-running: %d
                kv-cache-tokens: 2000000
                decode-step-ms: 10
                decode-ms-per-running-sequence: 0.2
                embedding-call-ms: 4
                output-tokens-min: 40
                output-tokens-max: 40
                """.formatted(MODEL, EMBEDDING_MODEL, CAPACITY));
        try (SimEngine engine = SimEngine.start(EngineProfile.load(profile.toString()), 1, "127.0.0.1", 0)) {
            ConcurrencyConfig adaptive = new ConcurrencyConfig(LimitAlgorithm.GRADIENT2, CAPACITY, 4, 64,
                    Duration.ofSeconds(1), null, null, null, null, null);
            ConcurrencyConfig none = new ConcurrencyConfig(LimitAlgorithm.FIXED, null, null, 0, null, null, null, null,
                    null, null);
            System.out.printf(Locale.ROOT, "Streams of 40 tokens, engine capacity %d at once; phases of %d s; SLO: first "
                    + "token within %d s%n", CAPACITY, phase.toSeconds(), FIRST_TOKEN_SLO.toSeconds());
            System.out.printf(Locale.ROOT, "%-8s %-11s %9s %9s %9s %9s %7s %7s %7s %7s%n", "load", "protection",
                    "goodput", "tok/s", "p50 ms", "p99 ms", "200", "503", "other", "late");
            for (int factor : List.of(2, 10)) {
                for (boolean protect : List.of(true, false)) {
                    try (Pitwall pitwall = gateway(work.resolve("gw-" + factor + "-" + protect), engine,
                            protect ? adaptive : none, BatchingConfig.off())) {
                        streams(pitwall, factor, protect, phase);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "peak RSS of this JVM (engine, gateways, clients): %d MiB%n",
                    PeakRss.ofThisProcess() / 1024);
            System.out.println();
            System.out.println("Embeddings, one input each");
            System.out.printf(Locale.ROOT, "%-8s %-9s %9s %10s %9s %9s%n", "callers", "batching", "req/s", "upstream",
                    "p50 ms", "p99 ms");
            for (int callers : List.of(1, 16, 64)) {
                for (boolean batch : List.of(true, false)) {
                    try (Pitwall pitwall = gateway(work.resolve("emb-" + callers + "-" + batch), engine,
                            ConcurrencyConfig.fixed(), batch ? BatchingConfig.defaults() : BatchingConfig.off())) {
                        embeddings(pitwall, callers, batch, phase);
                    }
                }
            }
        }
    }

    private static Pitwall gateway(Path data, SimEngine engine, ConcurrencyConfig concurrency, BatchingConfig batching) {
        BackendConfig backend = new BackendConfig("sim", engine.baseUrl().toString(), BackendKind.VLLM,
                List.of(MODEL, EMBEDDING_MODEL), Map.of(), "", 1.0, 100_000, concurrency, BackendTimeouts.defaults());
        return Pitwall.start(PitwallConfig.defaults().withDataDir(data).withServer(ServerConfig.defaults().withPort(0))
                .withGateway(GatewayConfig.defaults().withBackends(List.of(backend)).withBatching(batching)),
                Clock.systemUTC());
    }

    private void streams(Pitwall pitwall, int factor, boolean protect, Duration phase) throws Exception {
        String key = pitwall.gateway().apiKeys().create("bench", "bench").secret();
        URI uri = URI.create("http://127.0.0.1:" + pitwall.port() + "/v1/chat/completions");
        Histogram latency = new ConcurrentHistogram(3);
        AtomicLong goodTokens = new AtomicLong();
        AtomicLong allTokens = new AtomicLong();
        Map<String, AtomicLong> statuses = new ConcurrentHashMap<>();
        long end = System.nanoTime() + phase.toNanos();
        long start = System.nanoTime();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < factor * CAPACITY; c++) {
                int id = c;
                running.add(clients.submit(() -> {
                    for (int n = 0; System.nanoTime() < end; n++) {
                        streamOnce(uri, key, id + "-" + n, latency, goodTokens, allTokens, statuses);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long other = statuses.entrySet().stream().filter(e -> !List.of("200", "503", "429", "late").contains(e.getKey()))
                .mapToLong(e -> e.getValue().get()).sum();
        System.out.printf(Locale.ROOT, "%-8s %-11s %9.0f %9.0f %9.0f %9.0f %7d %7d %7d %7d%n", factor + "x",
                protect ? "on" : "off", goodTokens.get() / elapsed, allTokens.get() / elapsed,
                latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3, count(statuses, "200"),
                count(statuses, "503"), other, count(statuses, "late"));
    }

    /** One streamed request, read to its end; a refusal waits its Retry-After. */
    private void streamOnce(URI uri, String key, String tag, Histogram latency, AtomicLong goodTokens,
                            AtomicLong allTokens, Map<String, AtomicLong> statuses) throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"stream\":true,\"max_tokens\":40,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"question " + tag + "\"}]}";
        long sent = System.nanoTime();
        HttpResponse<java.io.InputStream> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(CLIENT_DEADLINE)
                    .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.http.HttpTimeoutException e) {
            statuses.computeIfAbsent("timeout", k -> new AtomicLong()).incrementAndGet();
            return;
        }
        int status = response.statusCode();
        if (status != 200) {
            response.body().close();
            statuses.computeIfAbsent(String.valueOf(status), k -> new AtomicLong()).incrementAndGet();
            long retry = response.headers().firstValueAsLong("retry-after").orElse(1);
            Thread.sleep(Duration.ofSeconds(Math.min(retry, 5)));
            return;
        }
        long firstToken = 0;
        int tokens = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("data: {") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                    tokens++;
                    if (firstToken == 0) {
                        firstToken = System.nanoTime();
                    }
                }
            }
        }
        long done = System.nanoTime();
        latency.recordValue(Math.max(1, (done - sent) / 1000));
        allTokens.addAndGet(tokens);
        boolean inSlo = firstToken != 0 && firstToken - sent <= FIRST_TOKEN_SLO.toNanos();
        if (inSlo) {
            goodTokens.addAndGet(tokens);
        }
        statuses.computeIfAbsent(inSlo ? "200" : "late", k -> new AtomicLong()).incrementAndGet();
    }

    private void embeddings(Pitwall pitwall, int callers, boolean batch, Duration phase) throws Exception {
        String key = pitwall.gateway().apiKeys().create("bench", "bench").secret();
        URI uri = URI.create("http://127.0.0.1:" + pitwall.port() + "/v1/embeddings");
        Histogram latency = new ConcurrentHistogram(3);
        AtomicLong answered = new AtomicLong();
        long end = System.nanoTime() + phase.toNanos();
        long start = System.nanoTime();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int id = c;
                running.add(clients.submit(() -> {
                    for (int n = 0; System.nanoTime() < end; n++) {
                        long sent = System.nanoTime();
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(CLIENT_DEADLINE)
                                .header("Authorization", "Bearer " + key)
                                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + EMBEDDING_MODEL
                                        + "\",\"input\":\"a sentence about GPUs from caller " + id + ", number " + n
                                        + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            latency.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
                            answered.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long upstream = batch ? (long) metric(pitwall, "pitwall_gateway_batch_calls_total") : answered.get();
        System.out.printf(Locale.ROOT, "%-8d %-9s %9.0f %10d %9.1f %9.1f%n", callers, batch ? "on" : "off",
                answered.get() / elapsed, upstream, latency.getValueAtPercentile(50) / 1e3,
                latency.getValueAtPercentile(99) / 1e3);
    }

    private double metric(Pitwall pitwall, String name) throws Exception {
        String text = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pitwall.port() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : text.lines().toList()) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static long count(Map<String, AtomicLong> statuses, String status) {
        AtomicLong n = statuses.get(status);
        return n == null ? 0 : n.get();
    }
}
