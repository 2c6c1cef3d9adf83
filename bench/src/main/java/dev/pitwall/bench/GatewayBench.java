package dev.pitwall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Load on loopback against the simulated engine directly, through Pitwall's gateway, and through
 * nginx as a plain reverse proxy (when installed): fixed request rates of non-streamed requests
 * (open loop, timed from each request's scheduled start, so a stall is not hidden), then fixed
 * numbers of concurrent streams. Prints latency added over the direct path, errors, and the
 * gateway's CPU and resident memory. Last, non-streamed requests held open against a slowed
 * engine: what watching their clients costs the gateway, and how soon it cancels them all when
 * the clients leave. Every phase is bounded in time and stops by itself.
 *
 * <p>Usage: {@code java -cp … dev.pitwall.bench.GatewayBench SERVER_JAR [seconds] [rates] [streams] [held]}
 */
public final class GatewayBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "bench-model";
    private static final String ADMIN_KEY = "bench-admin-key-0123456789";

    private record Target(String name, String baseUrl, String key) {
    }

    /** One phase's figures for one target. */
    private record Result(double rps, Histogram latency, Histogram firstToken, long errors, double cpuCores, long rssBytes,
                          String firstError) {
    }

    /** Counts a phase's failed requests and keeps the first one's reason, for the table's note. */
    private static final class Errors {
        final AtomicLong count = new AtomicLong();
        final AtomicReference<String> first = new AtomicReference<>();

        void add(String why) {
            count.incrementAndGet();
            first.compareAndSet(null, why);
        }
    }

    private final Path serverJar;
    private final Duration phase;
    private final Path work;
    private final List<Process> processes = new ArrayList<>();
    private long gatewayPid;
    /** Whether a phase had failed requests: then the work folder, with the processes' logs, is kept. */
    private boolean anyErrors;

    private GatewayBench(Path serverJar, Duration phase) throws IOException {
        this.serverJar = serverJar;
        this.phase = phase;
        this.work = Files.createTempDirectory("pitwall-bench");
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "server/target/pitwall.jar");
        Duration phase = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 15);
        List<Integer> rates = ints(args.length > 2 ? args[2] : "500,1000");
        List<Integer> streams = ints(args.length > 3 ? args[3] : "100,500,2000");
        List<Integer> held = ints(args.length > 4 ? args[4] : "2000");
        GatewayBench bench = new GatewayBench(jar, phase);
        try {
            bench.run(rates, streams, held);
        } finally {
            bench.stopAll();
        }
        // Kept when the run failed or a phase had errors: the processes' logs are in it.
        if (bench.anyErrors) {
            System.out.println("Requests failed: the processes' logs are kept in " + bench.work);
        } else {
            bench.deleteWork();
        }
    }

    private void run(List<Integer> rates, List<Integer> streamCounts, List<Integer> heldCounts) throws Exception {
        int enginePort = freePort();
        int gatewayPort = freePort();
        Path profile = work.resolve("bench-profile.yaml");
        // Room for every stream at once, so that the engine, not its queue, sets the pace.
        Files.writeString(profile, """
                model: %s
                max-model-len: 8192
                kv-cache-tokens: 2000000
                max-running: 4096
                output-tokens-min: 16
                output-tokens-max: 64
                """.formatted(MODEL));
        start("engine", List.of("sim", "engine", "--port", String.valueOf(enginePort), "--profile", profile.toString()),
                Map.of());
        Path config = work.resolve("pitwall.yaml");
        Files.writeString(config, """
                data-dir: %s
                server:
                  port: %d
                gateway:
                  backends:
                    - name: sim
                      url: http://127.0.0.1:%d/v1
                      kind: vllm
                      models: [%s]
                      max-in-flight: 10000
                      # The proxy's own overhead is measured here, so no limit of its own gets in the way.
                      concurrency: {algorithm: fixed}
                """.formatted(work.resolve("data"), gatewayPort, enginePort, MODEL));
        Map<String, String> gatewayEnv = new java.util.HashMap<>(Map.of("PITWALL_GATEWAY_ADMIN_KEY", ADMIN_KEY));
        // BENCH_GATEWAY_JAVA_OPTS reaches the gateway's JVM only, e.g. a flight recording to profile it.
        String gatewayOpts = System.getenv("BENCH_GATEWAY_JAVA_OPTS");
        if (gatewayOpts != null) {
            gatewayEnv.put("JAVA_TOOL_OPTIONS", gatewayOpts);
        }
        Process gateway = start("gateway", List.of("serve", "--config", config.toString()), gatewayEnv);
        gatewayPid = gateway.pid();
        waitFor("http://127.0.0.1:" + gatewayPort + "/health/ready");
        waitFor("http://127.0.0.1:" + enginePort + "/health");

        List<Target> targets = new ArrayList<>();
        targets.add(new Target("direct", "http://127.0.0.1:" + enginePort + "/v1", ""));
        targets.add(new Target("gateway", "http://127.0.0.1:" + gatewayPort + "/v1", issueKey(gatewayPort)));
        startNginx(enginePort).ifPresent(port -> targets.add(new Target("nginx", "http://127.0.0.1:" + port + "/v1", "")));

        System.out.printf("Pitwall gateway benchmark: %d s a phase, %d cores, %s%n", phase.toSeconds(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        // Warm-up at the highest rate measured: pools fill, and the gateway's JIT compiles its hot
        // paths (after 10 s at 1,000 req/s the gateway still used twice the CPU of later phases,
        // and added 1.5 ms more at the median).
        int warmUpRate = rates.stream().max(Integer::compare).orElse(200);
        for (Target target : targets) {
            fixedRate(target, warmUpRate, Duration.ofSeconds(target.name().equals("gateway") ? 30 : 5));
        }
        compare(targets, "Non-streamed chat (max_tokens 1) at a fixed rate; latency from scheduled start:",
                List.of("rate", "p50 ms", "p99 ms", "+p50 ms", "+p99 ms"), rates, "/s", false, this::fixedRate);
        compare(targets, "Concurrent streams (max_tokens 32), each sending its next request when one ends:",
                List.of("streams", "ttft p50", "ttft p99", "+ttft p50", "+ttft p99"), streamCounts, "", true,
                this::streams);
        if (!heldCounts.isEmpty()) {
            System.out.println();
            System.out.println("Non-streamed requests held open on a slowed engine, then their clients leave:");
            System.out.printf("%-8s %8s %12s %12s%n", "held", "gw cpu", "cancelled", "within s");
            // A thousand times slower: no answer comes within the phase.
            setFaults(enginePort, "{\"slowdown\": 1000}");
            for (int count : heldCounts) {
                held(targets.stream().filter(t -> t.name().equals("gateway")).findFirst().orElseThrow(), gatewayPort,
                        count);
            }
            setFaults(enginePort, null);
        }
    }

    /** One phase of load against every target. */
    private interface Load {
        Result run(Target target, int level, Duration duration) throws Exception;
    }

    /**
     * Runs {@code load} at each level against every target and prints their table: {@code columns}
     * name the level and the four latency columns. No levels, no table.
     */
    private void compare(List<Target> targets, String title, List<String> columns, List<Integer> levels, String unit,
                         boolean streaming, Load load) throws Exception {
        if (levels.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println(title);
        System.out.printf("%-8s %-8s %8s %9s %9s %11s %11s %7s %8s %8s%n", columns.get(0), "target", "rps",
                columns.get(1), columns.get(2), columns.get(3), columns.get(4), "errors", "gw cpu", "gw MiB");
        for (int level : levels) {
            Map<String, Result> results = new LinkedHashMap<>();
            for (Target target : targets) {
                results.put(target.name(), load.run(target, level, phase));
            }
            print(level + unit, results, streaming);
        }
    }

    /**
     * Holds {@code count} non-streamed requests open through the gateway for a phase, then closes
     * their connections and waits (up to 10 s) for the gateway to count them cancelled.
     */
    private void held(Target gateway, int gatewayPort, int count) throws Exception {
        byte[] body = ("{\"model\":\"" + MODEL + "\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + gateway.key()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        Metrics metrics = new Metrics(URI.create("http://127.0.0.1:" + gatewayPort + "/metrics"));
        String cancellations = "pitwall_gateway_requests_total{";
        String cancelledOutcome = "outcome=\"client_cancelled\"";
        long cancelledBefore = metrics.sum(cancellations, cancelledOutcome);
        List<Socket> clients = new ArrayList<>();
        try (metrics) {
            for (int i = 0; i < count; i++) {
                Socket client = new Socket(InetAddress.getLoopbackAddress(), gatewayPort);
                clients.add(client);
                client.getOutputStream().write(head);
                client.getOutputStream().write(body);
            }
            long arrival = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long inFlight = 0;
            while ((inFlight = metrics.sum("pitwall_gateway_in_flight{", "")) < count && System.nanoTime() < arrival) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            if (inFlight < count) {
                throw new IllegalStateException("only " + inFlight + " of " + count + " held requests reached the engine");
            }
            long cpu = gatewayCpuNanos();
            long start = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(phase.toNanos());
            double cores = (gatewayCpuNanos() - cpu) / 1e9 / ((System.nanoTime() - start) / 1e9);
            for (Socket client : clients) {
                client.close();
            }
            long left = System.nanoTime();
            long deadline = left + Duration.ofSeconds(10).toNanos();
            long cancelled = 0;
            while (cancelled < count && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
                cancelled = metrics.sum(cancellations, cancelledOutcome) - cancelledBefore;
            }
            System.out.printf(Locale.ROOT, "%-8d %8.2f %12d %12.2f%n", count, cores, cancelled,
                    (System.nanoTime() - left) / 1e9);
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    /** The gateway's {@code /metrics}, read by one client. */
    private record Metrics(URI uri, HttpClient client) implements AutoCloseable {

        Metrics(URI uri) {
            this(uri, GatewayBench.client());
        }

        /** The sum of the series that start with {@code prefix} and contain {@code label}. */
        long sum(String prefix, String label) throws Exception {
            return (long) client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body()
                    .lines()
                    .filter(line -> line.startsWith(prefix) && line.contains(label))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** Sets the engine's faults, or clears them with null. */
    private static void setFaults(int enginePort, String faults) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + enginePort + "/admin/faults");
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpRequest request = faults == null ? HttpRequest.newBuilder(uri).DELETE().build()
                    : HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(faults)).build();
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 300) {
                throw new IllegalStateException("the engine refused faults " + faults + ": " + status);
            }
        }
    }

    private Result fixedRate(Target target, int rate, Duration duration) throws Exception {
        Histogram latency = new ConcurrentHistogram(3);
        Errors errors = new Errors();
        AtomicLong done = new AtomicLong();
        String body = "{\"model\":\"" + MODEL + "\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        long[] cpu = {gatewayCpuNanos()};
        long start = System.nanoTime();
        long total = rate * duration.toSeconds();
        try (HttpClient client = client(); ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (long i = 0; i < total; i++) {
                long scheduled = start + i * 1_000_000_000L / rate;
                long wait = scheduled - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                senders.submit(() -> {
                    try {
                        HttpResponse<String> response = client.send(post(target, "/chat/completions", body),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200) {
                            errors.add(response.statusCode() + " " + response.body());
                        }
                    } catch (IOException | InterruptedException e) {
                        errors.add(e.toString());
                    }
                    latency.recordValue(Math.max(1, (System.nanoTime() - scheduled) / 1000));
                    done.incrementAndGet();
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(done.get() / seconds, latency, null, errors.count.get(),
                (gatewayCpuNanos() - cpu[0]) / 1e9 / seconds, gatewayRss(), errors.first.get());
    }

    private Result streams(Target target, int count, Duration duration) throws Exception {
        Histogram latency = new ConcurrentHistogram(3);
        Histogram firstToken = new ConcurrentHistogram(3);
        Errors errors = new Errors();
        AtomicLong done = new AtomicLong();
        String body = "{\"model\":\"" + MODEL + "\",\"max_tokens\":32,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me more\"}]}";
        long cpu = gatewayCpuNanos();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try (HttpClient client = client(); ExecutorService streams = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < count; s++) {
                streams.submit(() -> {
                    while (System.nanoTime() < end) {
                        long begin = System.nanoTime();
                        try {
                            HttpResponse<InputStream> response = client.send(post(target, "/chat/completions", body),
                                    HttpResponse.BodyHandlers.ofInputStream());
                            boolean first = true;
                            boolean finished = false;
                            try (BufferedReader reader = new BufferedReader(
                                    new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                                    if (first && line.startsWith("data: {") && line.contains("\"content\":\"")
                                            && !line.contains("\"content\":\"\"")) {
                                        firstToken.recordValue(Math.max(1, (System.nanoTime() - begin) / 1000));
                                        first = false;
                                    }
                                    finished |= line.equals("data: [DONE]");
                                }
                            }
                            if (response.statusCode() != 200 || !finished) {
                                errors.add(response.statusCode() + (finished ? "" : ", no [DONE]"));
                            }
                        } catch (IOException | InterruptedException e) {
                            errors.add(e.toString());
                        }
                        latency.recordValue(Math.max(1, (System.nanoTime() - begin) / 1000));
                        done.incrementAndGet();
                    }
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(done.get() / seconds, latency, firstToken, errors.count.get(),
                (gatewayCpuNanos() - cpu) / 1e9 / seconds, gatewayRss(), errors.first.get());
    }

    private void print(String scenario, Map<String, Result> results, boolean streaming) {
        Result direct = results.get("direct");
        for (Map.Entry<String, Result> entry : results.entrySet()) {
            Result r = entry.getValue();
            Histogram shown = streaming ? r.firstToken() : r.latency();
            Histogram base = streaming ? direct.firstToken() : direct.latency();
            boolean isGateway = entry.getKey().equals("gateway");
            System.out.printf(Locale.ROOT, "%-8s %-8s %8.0f %9.2f %9.2f %11s %11s %7d %8s %8s%n", scenario,
                    entry.getKey(), r.rps(), ms(shown, 50), ms(shown, 99),
                    entry.getKey().equals("direct") ? "" : String.format(Locale.ROOT, "%+.2f", ms(shown, 50) - ms(base, 50)),
                    entry.getKey().equals("direct") ? "" : String.format(Locale.ROOT, "%+.2f", ms(shown, 99) - ms(base, 99)),
                    r.errors(), isGateway ? String.format(Locale.ROOT, "%.2f", r.cpuCores()) : "",
                    isGateway ? String.valueOf(r.rssBytes() / (1024 * 1024)) : "");
        }
        results.forEach((name, r) -> {
            if (r.firstError() != null) {
                anyErrors = true;
                String why = r.firstError().length() > 300 ? r.firstError().substring(0, 300) + "…" : r.firstError();
                System.out.println("         " + name + "'s first error: " + why.replace('\n', ' '));
            }
        });
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram == null || histogram.getTotalCount() == 0 ? Double.NaN
                : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    private static HttpRequest post(Target target, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!target.key().isEmpty()) {
            request.header("Authorization", "Bearer " + target.key());
        }
        return request.build();
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    private Process start(String name, List<String> args, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", serverJar.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private java.util.Optional<Integer> startNginx(int enginePort) throws IOException {
        Path nginx = Path.of("/usr/sbin/nginx");
        if (!Files.isExecutable(nginx)) {
            System.out.println("nginx not installed (apt-get install nginx-light): comparison skipped");
            return java.util.Optional.empty();
        }
        int port = freePort();
        Path dir = Files.createDirectories(work.resolve("nginx"));
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("nginx.conf"), """
                worker_processes auto;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                events { worker_connections 16384; }
                http {
                    access_log %1$s/logs/access.log;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    upstream engine { server 127.0.0.1:%2$d; keepalive 256; }
                    server {
                        listen 127.0.0.1:%3$d;
                        location / {
                            proxy_pass http://engine;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_buffering off;
                        }
                    }
                }
                """.formatted(dir, enginePort, port));
        Process process = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-g", "daemon off;").redirectErrorStream(true).redirectOutput(dir.resolve("logs/stdout.log").toFile()).start();
        processes.add(process);
        try {
            waitFor("http://127.0.0.1:" + port + "/health");
        } catch (IllegalStateException e) {
            System.out.println("nginx did not start (see " + dir.resolve("logs") + "): comparison skipped");
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(port);
    }

    private String issueKey(int gatewayPort) throws Exception {
        try (HttpClient client = client()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + gatewayPort + "/admin/api/keys"))
                    .header("Authorization", "Bearer " + ADMIN_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"tenant\":\"bench\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode issued = JSON.readTree(response.body());
            return issued.path("key").asText();
        }
    }

    private static void waitFor(String url) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (HttpClient client = HttpClient.newHttpClient()) {
            while (System.nanoTime() < deadline) {
                try {
                    if (client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() < 500) {
                        return;
                    }
                } catch (IOException e) {
                    // not up yet
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException(url + " did not answer within 60 s");
    }

    /** User plus system CPU time of the gateway process, from /proc (clock ticks of 10 ms). */
    private long gatewayCpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(gatewayPid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private long gatewayRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(gatewayPid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    private void stopAll() {
        for (Process process : processes.reversed()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    private void deleteWork() throws IOException {
        try (var paths = Files.walk(work)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** "500,1000" as numbers; an empty list skips its phases. */
    private static List<Integer> ints(String csv) {
        return java.util.Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Integer::parseInt)
                .toList();
    }
}
