package dev.pitwall.bench.stages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.metrics.Metrics;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageConfig;
import dev.pitwall.gateway.Gateway;
import dev.pitwall.gateway.auth.ApiKeys;
import dev.pitwall.gateway.breaker.OutputSample;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.BackendTimeouts;
import dev.pitwall.gateway.config.GatewayConfig;
import dev.pitwall.gateway.contract.OpenApiContract;
import dev.pitwall.gateway.routing.Backend;
import dev.pitwall.gateway.routing.Route;
import dev.pitwall.gateway.routing.Router;
import dev.pitwall.gateway.sli.GatewayMetrics;
import dev.pitwall.gateway.sli.Outcome;
import dev.pitwall.gateway.sli.RequestObservation;
import dev.pitwall.gateway.sli.UsageMeter;
import dev.pitwall.gateway.stream.SseReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Each stage of a chat request's way through the gateway, on its own, with the gateway's own
 * classes: so that a regression shows up as the stage it is in (time and, with {@code -prof gc},
 * bytes allocated per request). Run by {@code bench/stages.sh}; the whole path over HTTP is
 * {@code bench/throughput.sh}'s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GatewayStages {

    private static final String MODEL = "bench-model";
    /** A chat request as clients send one: a system prompt, a question, a few sampling fields. */
    static final String REQUEST = """
            {"model":"bench-model","messages":[{"role":"system","content":"You are a helpful assistant. Answer briefly."},\
            {"role":"user","content":"What does an SRE watch on a GPU cluster during a training run?"}],\
            "max_tokens":256,"temperature":0.7,"top_p":0.95,"stream":false,"user":"bench"}""";
    /** One decoded token as vLLM streams it. */
    static final String CHUNK = """
            {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1733131200,"model":"bench-model",\
            "choices":[{"index":0,"delta":{"content":" token"},"logprobs":null,"finish_reason":null}]}""";
    /** Chunks a stream benchmark relays per invocation. */
    static final int CHUNKS = 256;

    private Path dataDir;
    private Metrics metrics;
    private Database database;
    private ApiKeys keys;
    private String secret;
    private OpenApiContract contract;
    private ObjectNode request;
    private byte[] requestBytes;
    private Router router;
    private GatewayMetrics gatewayMetrics;
    private byte[] stream;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dataDir = Files.createTempDirectory("pitwall-stages");
        metrics = new Metrics();
        database = Database.open(StorageConfig.defaults(), dataDir, metrics.registry());
        database.migrate(AuditLog.MODULE);
        database.migrate(Gateway.MODULE);
        keys = new ApiKeys(database, new AuditLog(database, Clock.systemUTC()), Clock.systemUTC());
        secret = keys.create("bench", "bench").secret();
        contract = new OpenApiContract();
        requestBytes = REQUEST.getBytes(StandardCharsets.UTF_8);
        request = Json.object(requestBytes).orElseThrow();
        GatewayConfig config = GatewayConfig.defaults().withBackends(List.of(backend("a"), backend("b")));
        router = new Router(config, new SplittableRandom(7));
        gatewayMetrics = new GatewayMetrics(metrics.registry(), router.backends().stream()
                .collect(Collectors.toMap(Backend::name, Backend::admission)),
                List.of(Duration.ofMillis(500)), List.of(Duration.ofSeconds(5)));
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < CHUNKS; i++) {
            events.append("data: ").append(CHUNK).append("\n\n");
        }
        stream = events.toString().getBytes(StandardCharsets.UTF_8);
        if (keys.tenantOf(secret).isEmpty() || contract.check("ChatCompletionRequest", request).isPresent()) {
            throw new IllegalStateException("the benchmark's key or request is not what the gateway accepts");
        }
    }

    private static BackendConfig backend(String name) {
        return new BackendConfig(name, "http://127.0.0.1:1/v1", BackendKind.VLLM, List.of(MODEL), Map.of(), "",
                1.0, 256, null, BackendTimeouts.defaults());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        database.close();
        metrics.close();
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The tenant of a presented key: its digest, looked up among the keys recently seen. */
    @Benchmark
    public Optional<String> authentication() {
        return keys.tenantOf(secret);
    }

    /** The body read as JSON, as the gateway does before anything else. */
    @Benchmark
    public Optional<ObjectNode> parseRequest() {
        return Json.object(requestBytes);
    }

    /** The request against the gateway's OpenAPI document. */
    @Benchmark
    public Optional<OpenApiContract.Violation> contractCheck() {
        return contract.check("ChatCompletionRequest", request);
    }

    /** The backends serving the model, in the order they are tried. */
    @Benchmark
    public List<Route> routing() {
        return router.routes(MODEL);
    }

    /** The body for the backend: copied with the backend's model name, written out again. */
    @Benchmark
    public byte[] upstreamBody() throws IOException {
        return Json.mapper().writeValueAsBytes(request.deepCopy().put("model", "upstream-model"));
    }

    /** A finished request's counters and histograms. */
    @Benchmark
    public void metrics() {
        long start = System.nanoTime();
        RequestObservation observation = new RequestObservation(MODEL, "bench", start);
        observation.backend("a");
        observation.token(start + 1_000_000);
        observation.usage(40, 1);
        observation.finish(Outcome.SUCCESS, start + 2_000_000);
        gatewayMetrics.record(observation);
    }

    /** Per chunk of a stream: the event read off the upstream's body. */
    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public void sseFraming(Blackhole hole) throws IOException {
        SseReader events = new SseReader(new ByteArrayInputStream(stream));
        for (int i = 0; i < CHUNKS; i++) {
            hole.consume(events.next());
        }
    }

    /** Per chunk of a stream: what the relay does with one before writing it (usage, first token, the quality sample). */
    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public void sseChunk(Blackhole hole) {
        RequestObservation observation = new RequestObservation(MODEL, "bench", System.nanoTime());
        OutputSample output = new OutputSample();
        for (int i = 0; i < CHUNKS; i++) {
            ObjectNode chunk = Json.object(CHUNK).orElseThrow();
            hole.consume(UsageMeter.record(chunk, observation));
            if (UsageMeter.carriesOutput(chunk)) {
                observation.token(System.nanoTime());
            }
            output.addChunk(chunk);
        }
        hole.consume(output);
    }
}
