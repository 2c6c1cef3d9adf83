package dev.pitwall.gateway.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.config.BatchingConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Merges concurrent {@code /v1/embeddings} calls for one model (and the same other parameters)
 * into one upstream call whose input is all of theirs, in order, then splits the answer back:
 * each caller gets its own embeddings, indexed from 0, and a share of the usage in proportion to
 * its text. A call goes at once while fewer than {@code max-concurrent} merged calls of its model
 * are in flight, so an idle backend adds no wait; otherwise it waits for one to return, and the
 * calls that arrived meanwhile go together, so batches grow with load and the wait follows the
 * backend's latency, as Triton's dynamic batcher does, bounded by {@code max-wait} and
 * {@code max-batch}. When the merged call is refused (one caller's bad input) or fails, every
 * caller is sent on its own, so that one caller's input never fails another's.
 */
public final class EmbeddingBatcher implements AutoCloseable {

    /** What one caller gets. */
    public sealed interface Result permits Answered, Alone {
    }

    /** Its share of a merged answer. */
    public record Answered(byte[] body, String backend, long promptTokens) implements Result {
    }

    /** The merged call did not succeed for everyone: send this caller's request on its own. */
    public record Alone() implements Result {
    }

    /** A backend's answer to a merged request. */
    public record Reply(int status, byte[] body, String backend) {
    }

    /** Sends one merged request to a backend of {@code model}; empty when none would take it. */
    public interface Upstream {
        Optional<Reply> send(String model, ObjectNode body);
    }

    private record Pending(List<JsonNode> inputs, CompletableFuture<Result> result) {
    }

    /** Calls that can go together: one model, the same parameters. */
    private static final class Lane {
        final String key;
        final String model;
        final ObjectNode template;
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        int inFlight;
        ScheduledFuture<?> timer;

        Lane(String key, String model, ObjectNode template) {
            this.key = key;
            this.model = model;
            this.template = template;
        }
    }

    private final BatchingConfig config;
    private final Upstream upstream;
    private final MeterRegistry registry;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("pitwall-embeddings-batcher").factory());

    public EmbeddingBatcher(BatchingConfig config, Upstream upstream, MeterRegistry registry) {
        this.config = config;
        this.upstream = upstream;
        this.registry = registry;
    }

    /** Whether {@code body} can be merged: batching is on and its input is text (a string or strings), few enough. */
    public boolean accepts(ObjectNode body) {
        if (!config.enabled()) {
            return false;
        }
        JsonNode input = body.path("input");
        if (input.isTextual()) {
            return true;
        }
        if (!input.isArray() || input.isEmpty() || input.size() > config.maxBatch()) {
            return false;
        }
        for (JsonNode item : input) {
            if (!item.isTextual()) {
                return false; // token ids: not mixed with text in one call
            }
        }
        return true;
    }

    /** The caller's embeddings from a merged call, waiting at most {@code timeout} for it. */
    public Result submit(ObjectNode body, Duration timeout) {
        ObjectNode template = body.deepCopy();
        template.remove("input");
        String model = body.path("model").asText();
        Lane lane = lanes.computeIfAbsent(key(template), k -> new Lane(k, model, template));
        JsonNode input = body.get("input");
        List<JsonNode> inputs = new ArrayList<>();
        if (input.isArray()) {
            input.forEach(inputs::add);
        } else {
            inputs.add(input);
        }
        Pending pending = new Pending(inputs, new CompletableFuture<>());
        List<Pending> batch = null;
        synchronized (lane) {
            lane.waiting.addLast(pending);
            if (lane.inFlight < config.maxConcurrent()) {
                batch = take(lane);
            } else if (lane.timer == null) {
                lane.timer = timer.schedule(() -> flushLate(lane), config.maxWait().toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        if (batch != null) {
            run(lane, batch);
        }
        try {
            return pending.result().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return new Alone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Alone();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a merged call's result is never completed exceptionally", e);
        }
    }

    /** The calls at the head of the lane, as many as fit one upstream call; called holding the lane. */
    private List<Pending> take(Lane lane) {
        List<Pending> batch = new ArrayList<>();
        int inputs = 0;
        while (!lane.waiting.isEmpty() && inputs + lane.waiting.peekFirst().inputs().size() <= config.maxBatch()) {
            Pending next = lane.waiting.pollFirst();
            inputs += next.inputs().size();
            batch.add(next);
        }
        lane.inFlight++;
        return batch;
    }

    /** The longest wait passed with the lane's merged calls all still out: this batch goes anyway. */
    private void flushLate(Lane lane) {
        List<Pending> batch;
        synchronized (lane) {
            lane.timer = null;
            if (lane.waiting.isEmpty()) {
                return;
            }
            batch = take(lane);
            if (!lane.waiting.isEmpty()) {
                lane.timer = timer.schedule(() -> flushLate(lane), config.maxWait().toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        Thread.ofVirtual().name("pitwall-embeddings-batch").start(() -> run(lane, batch));
    }

    private void run(Lane lane, List<Pending> batch) {
        try {
            answer(lane, batch);
        } finally {
            List<Pending> next = null;
            synchronized (lane) {
                lane.inFlight--;
                if (!lane.waiting.isEmpty() && lane.inFlight < config.maxConcurrent()) {
                    next = take(lane);
                    if (lane.waiting.isEmpty() && lane.timer != null) {
                        lane.timer.cancel(false);
                        lane.timer = null;
                    }
                } else if (lane.waiting.isEmpty() && lane.inFlight == 0) {
                    // An idle lane goes, so that parameters clients vary (a "user" per call) cannot
                    // grow the map; a call that took it just now still runs on it.
                    lanes.remove(lane.key, lane);
                }
            }
            if (next != null) {
                List<Pending> waited = next;
                Thread.ofVirtual().name("pitwall-embeddings-batch").start(() -> run(lane, waited));
            }
        }
    }

    private void answer(Lane lane, List<Pending> batch) {
        ObjectNode merged = lane.template.deepCopy();
        ArrayNode all = merged.putArray("input");
        batch.forEach(p -> p.inputs().forEach(all::add));
        DistributionSummary.builder("pitwall.gateway.batch.inputs").description("Inputs in one merged embeddings call")
                .tag("model", lane.model).register(registry).record(all.size());
        Counter.builder("pitwall.gateway.batch.calls").description("Merged embeddings calls sent upstream")
                .tag("model", lane.model).register(registry).increment();
        Optional<Reply> reply;
        try {
            reply = upstream.send(lane.model, merged);
        } catch (RuntimeException e) {
            reply = Optional.empty();
        }
        List<Result> results = reply.filter(r -> r.status() == 200)
                .flatMap(r -> split(r, batch)).orElse(null);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results == null ? new Alone() : results.get(i));
        }
    }

    /** Each caller's part of a merged answer; empty when the answer does not hold one embedding per input. */
    private static Optional<List<Result>> split(Reply reply, List<Pending> batch) {
        ObjectNode answer = Json.object(reply.body()).orElse(null);
        int total = batch.stream().mapToInt(p -> p.inputs().size()).sum();
        if (answer == null || !answer.path("data").isArray() || answer.path("data").size() != total) {
            return Optional.empty();
        }
        JsonNode[] byIndex = new JsonNode[total];
        for (JsonNode item : answer.path("data")) {
            int index = item.path("index").asInt(-1);
            if (index < 0 || index >= total || byIndex[index] != null) {
                return Optional.empty();
            }
            byIndex[index] = item;
        }
        long[] shares = apportion(answer.path("usage").path("prompt_tokens").asLong(0), batch);
        List<Result> results = new ArrayList<>(batch.size());
        int offset = 0;
        for (int b = 0; b < batch.size(); b++) {
            ObjectNode own = Json.mapper().createObjectNode().put("object", "list");
            ArrayNode data = own.putArray("data");
            int count = batch.get(b).inputs().size();
            for (int i = 0; i < count; i++) {
                ObjectNode item = byIndex[offset + i].deepCopy();
                item.put("index", i);
                data.add(item);
            }
            offset += count;
            own.set("model", answer.path("model"));
            own.putObject("usage").put("prompt_tokens", shares[b]).put("total_tokens", shares[b]);
            try {
                results.add(new Answered(Json.mapper().writeValueAsBytes(own), reply.backend(), shares[b]));
            } catch (JsonProcessingException e) {
                return Optional.empty();
            }
        }
        return Optional.of(results);
    }

    /** {@code tokens} split over the callers by the length of their text, summing exactly to it (largest remainders). */
    private static long[] apportion(long tokens, List<Pending> batch) {
        double[] weights = new double[batch.size()];
        double sum = 0;
        for (int b = 0; b < batch.size(); b++) {
            for (JsonNode input : batch.get(b).inputs()) {
                weights[b] += Math.max(1, input.asText().length());
            }
            sum += weights[b];
        }
        long[] shares = new long[batch.size()];
        double[] remainders = new double[batch.size()];
        long given = 0;
        for (int b = 0; b < batch.size(); b++) {
            double exact = tokens * weights[b] / sum;
            shares[b] = (long) Math.floor(exact);
            remainders[b] = exact - shares[b];
            given += shares[b];
        }
        for (long left = tokens - given; left > 0; left--) {
            int most = 0;
            for (int b = 1; b < batch.size(); b++) {
                if (remainders[b] > remainders[most]) {
                    most = b;
                }
            }
            shares[most]++;
            remainders[most] = -1;
        }
        return shares;
    }

    private static String key(ObjectNode template) {
        return template.toString(); // the model and every other parameter, as sent
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
