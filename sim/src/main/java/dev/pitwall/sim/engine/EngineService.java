package dev.pitwall.sim.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.NoCache;
import dev.pitwall.core.json.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP face of a simulated engine, shaped like vLLM's OpenAI-compatible server:
 * {@code /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings},
 * {@code /v1/models}, {@code /health}, {@code /metrics}, plus {@code /admin/faults} to break it
 * on purpose.
 */
final class EngineService implements HttpService {

    /** How long a hung stream stays open before the engine gives up on it. */
    private static final Duration HANG_LIMIT = Duration.ofMinutes(5);
    /** How long a handler waits for its next token before it checks whether to give up. */
    private static final Duration TOKEN_POLL = Duration.ofSeconds(1);

    private final EngineProfile profile;
    private final BatchScheduler scheduler;
    private final EngineMetrics metrics;
    private final TextSource text;
    private final AtomicReference<Faults> faults;
    private final Clock clock;
    private final SplittableRandom errorDraws;

    EngineService(EngineProfile profile, BatchScheduler scheduler, EngineMetrics metrics, TextSource text,
                  AtomicReference<Faults> faults, Clock clock, long seed) {
        this.profile = profile;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.text = text;
        this.faults = faults;
        this.clock = clock;
        this.errorDraws = new SplittableRandom(seed);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/chat/completions", (req, res) -> generate(req, res, true))
                .post("/v1/completions", (req, res) -> generate(req, res, false))
                .post("/v1/embeddings", this::embeddings)
                .get("/v1/models", this::models)
                .get("/health", (req, res) -> res.send())
                .get("/metrics", this::metrics)
                .get("/admin/faults", (req, res) -> json(res, Json.mapper().valueToTree(faults.get())))
                .post("/admin/faults", this::setFaults)
                .delete("/admin/faults", (req, res) -> {
                    faults.set(Faults.NONE);
                    json(res, Json.mapper().valueToTree(Faults.NONE));
                });
    }

    private void generate(ServerRequest req, ServerResponse res, boolean chat) throws Exception {
        ObjectNode body = readBody(req, res);
        if (body == null || !checkModel(body, res) || injectedError(res)) {
            return;
        }
        String prompt;
        if (chat) {
            JsonNode messages = body.path("messages");
            if (!messages.isArray() || messages.isEmpty()) {
                ApiError.ofParam(Status.BAD_REQUEST_400, "messages must be a non-empty array", "messages", null).send(res);
                return;
            }
            StringBuilder all = new StringBuilder();
            for (JsonNode message : messages) {
                all.append(message.path("role").asText()).append(": ").append(contentText(message.path("content"))).append('\n');
            }
            prompt = all.toString();
        } else {
            JsonNode p = body.path("prompt");
            if (!(p.isTextual() || p.isArray())) {
                ApiError.ofParam(Status.BAD_REQUEST_400, "prompt must be a string or an array of strings", "prompt", null).send(res);
                return;
            }
            prompt = p.isTextual() ? p.asText() : p.toString();
        }
        long promptTokens = TextSource.countTokens(prompt);
        JsonNode maxNode = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.path("max_tokens");
        int maxTokens = maxNode.isMissingNode() || maxNode.isNull()
                ? (int) Math.max(1, profile.maxModelLen() - promptTokens) : maxNode.asInt(-1);
        if (maxTokens < 1) {
            ApiError.ofParam(Status.BAD_REQUEST_400, "max_tokens must be at least 1", "max_tokens", null).send(res);
            return;
        }
        // As vLLM: the prompt and all the tokens asked for must fit the context, however short the answer would be.
        if (promptTokens + maxTokens > profile.maxModelLen()) {
            boolean promptAlone = promptTokens >= profile.maxModelLen();
            ApiError.ofParam(Status.BAD_REQUEST_400, "This model's maximum context length is " + profile.maxModelLen()
                    + " tokens; the prompt has " + promptTokens + " and asks for up to " + maxTokens + " more",
                    promptAlone ? "messages" : "max_tokens", "context_length_exceeded").send(res);
            return;
        }
        Logprobs wanted = Logprobs.asked(body, chat);
        if (wanted.refusal() != null) {
            ApiError.ofParam(Status.BAD_REQUEST_400, wanted.refusal(), chat ? "top_logprobs" : "logprobs", null).send(res);
            return;
        }
        TextSource.Answer answer = text.answer(prompt + "|" + maxTokens, profile.outputTokensMin(),
                profile.outputTokensMax(), maxTokens, faults.get().output());
        SimRequest request = new SimRequest(promptTokens, answer, System.nanoTime());
        scheduler.submit(request);
        // Unique across engines and restarts, as vLLM's random ids are: the gateway's logs and traces key on them.
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        long created = clock.instant().getEpochSecond();
        try {
            if (body.path("stream").asBoolean(false)) {
                boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
                stream(res, request, id, created, chat, usage, wanted);
            } else {
                complete(res, request, id, created, chat, wanted);
            }
        } finally {
            request.cancel(); // a no-op once finished; frees the KV cache when the client left early
        }
    }

    private void complete(ServerResponse res, SimRequest request, String id, long created, boolean chat,
                          Logprobs wanted) throws Exception {
        StringBuilder content = new StringBuilder();
        SimRequest.Token token;
        do {
            token = request.next(HANG_LIMIT);
            if (token == null) {
                throw new IllegalStateException("the simulated engine stalled");
            }
            content.append(token.text());
        } while (!token.last());
        ObjectNode out = envelope(id, created, chat ? "chat.completion" : "text_completion");
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (chat) {
            choice.putObject("message").put("role", "assistant").put("content", content.toString());
        } else {
            choice.put("text", content.toString());
        }
        choice.set("logprobs", wanted.of(request, 0, request.output.size(), chat));
        choice.put("finish_reason", request.finishReason);
        out.set("usage", usage(request.promptTokens, request.output.size()));
        json(res, out);
    }

    private void stream(ServerResponse res, SimRequest request, String id, long created, boolean chat,
                        boolean includeUsage, Logprobs wanted) throws Exception {
        Faults fault = faults.get();
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(NoCache.HEADER);
        OutputStream out = res.outputStream();
        String object = chat ? "chat.completion.chunk" : "text_completion";
        try {
            if (chat) {
                ObjectNode first = envelope(id, created, object);
                ObjectNode choice = first.putArray("choices").addObject().put("index", 0);
                choice.putObject("delta").put("role", "assistant").put("content", "");
                choice.putNull("logprobs").putNull("finish_reason");
                event(out, first.toString());
            }
            int sent = 0;
            SimRequest.Token token;
            do {
                token = request.next(TOKEN_POLL);
                if (token == null) {
                    out.write(": waiting\n\n".getBytes(StandardCharsets.UTF_8)); // notices a client that left
                    out.flush();
                    continue;
                }
                if (sent == fault.dropAfterTokens()) {
                    throw new UncheckedIOException(new IOException("fault injected: connection dropped"));
                }
                if (sent == fault.hangAfterTokens()) {
                    request.cancel();
                    Thread.sleep(HANG_LIMIT);
                    return;
                }
                ObjectNode chunk = envelope(id, created, object);
                ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
                if (chat) {
                    choice.putObject("delta").put("content", token.text());
                } else {
                    choice.put("text", token.text());
                }
                choice.set("logprobs", wanted.of(request, sent, sent + 1, chat));
                choice.putNull("finish_reason");
                event(out, fault.garbage() ? "{\"id\": \"" + id + "\", \"choices\": [ <garbage" : chunk.toString());
                sent++;
            } while (token == null || !token.last());

            ObjectNode last = envelope(id, created, object);
            ObjectNode choice = last.putArray("choices").addObject().put("index", 0);
            if (chat) {
                choice.putObject("delta");
            } else {
                choice.put("text", "");
            }
            choice.putNull("logprobs").put("finish_reason", request.finishReason);
            event(out, last.toString());
            if (includeUsage) {
                ObjectNode usage = envelope(id, created, object);
                usage.putArray("choices");
                usage.set("usage", usage(request.promptTokens, request.output.size()));
                event(out, usage.toString());
            }
            event(out, "[DONE]");
        } finally {
            out.close();
        }
    }

    private void embeddings(ServerRequest req, ServerResponse res) throws Exception {
        ObjectNode body = readBody(req, res);
        if (body == null || injectedError(res)) {
            return;
        }
        String model = body.path("model").asText("");
        // The generation model embeds too (mean-pooled, as vLLM's --task embed would); the
        // embedding model is what embeddings are meant to be asked of.
        if (!model.equals(profile.embeddingModel()) && !model.equals(profile.model())) {
            ApiError.ofParam(Status.NOT_FOUND_404, "The model `" + model + "` does not exist.", "model",
                    "model_not_found").send(res);
            return;
        }
        JsonNode input = body.path("input");
        ArrayNode inputs = Json.mapper().createArrayNode();
        if (input.isTextual()) {
            inputs.add(input);
        } else if (input.isArray() && !input.isEmpty()) {
            inputs.addAll((ArrayNode) input);
        } else {
            ApiError.ofParam(Status.BAD_REQUEST_400, "input must be a string or a non-empty array", "input", null).send(res);
            return;
        }
        for (int i = 0; i < inputs.size(); i++) {
            // As OpenAI: an empty string cannot be embedded.
            if (inputs.get(i).isTextual() && inputs.get(i).asText().isEmpty()) {
                ApiError.ofParam(Status.BAD_REQUEST_400, "input[" + i + "] is empty: every input needs some text",
                        "input", null).send(res);
                return;
            }
        }
        long tokens = 0;
        ObjectNode out = Json.mapper().createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < inputs.size(); i++) {
            String item = inputs.get(i).isTextual() ? inputs.get(i).asText() : inputs.get(i).toString();
            tokens += TextSource.countTokens(item);
            ArrayNode vector = data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
            for (double v : text.embedding(item, profile.embeddingDimensions())) {
                vector.add(v);
            }
        }
        scheduler.embed(tokens);
        out.put("model", model);
        out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        json(res, out);
    }

    private void models(ServerRequest req, ServerResponse res) {
        ObjectNode out = Json.mapper().createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        data.addObject()
                .put("id", profile.model())
                .put("object", "model")
                .put("created", clock.instant().getEpochSecond())
                .put("owned_by", "pitwall-sim")
                .put("max_model_len", profile.maxModelLen());
        data.addObject()
                .put("id", profile.embeddingModel())
                .put("object", "model")
                .put("created", clock.instant().getEpochSecond())
                .put("owned_by", "pitwall-sim")
                .put("max_model_len", 512);
        json(res, out);
    }

    private void metrics(ServerRequest req, ServerResponse res) throws IOException {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        try (OutputStream out = res.outputStream()) {
            metrics.write(out);
        }
    }

    private void setFaults(ServerRequest req, ServerResponse res) {
        ObjectNode body = readBody(req, res);
        if (body == null) {
            return;
        }
        try {
            ObjectNode merged = Json.mapper().valueToTree(Faults.NONE);
            merged.setAll(body);
            Faults set = Json.mapper().treeToValue(merged, Faults.class);
            faults.set(set);
            json(res, Json.mapper().valueToTree(set));
        } catch (IOException | IllegalArgumentException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            ApiError.of(Status.BAD_REQUEST_400, "faults not set: " + cause.getMessage()).send(res);
        }
    }

    private boolean injectedError(ServerResponse res) {
        Faults fault = faults.get();
        boolean fail;
        synchronized (errorDraws) {
            fail = fault.errorRate() > 0 && errorDraws.nextDouble() < fault.errorRate();
        }
        if (fail) {
            ApiError.of(Status.create(fault.errorStatus()), "fault injected: the engine answers "
                    + fault.errorStatus()).send(res);
        }
        return fail;
    }

    private boolean checkModel(ObjectNode body, ServerResponse res) {
        String model = body.path("model").asText("");
        if (!model.equals(profile.model())) {
            ApiError.ofParam(Status.NOT_FOUND_404, "The model `" + model + "` does not exist.", "model",
                    "model_not_found").send(res);
            return false;
        }
        return true;
    }

    private static ObjectNode readBody(ServerRequest req, ServerResponse res) {
        try {
            JsonNode body = Json.mapper().readTree(req.content().as(byte[].class));
            if (body instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // answered below
        }
        ApiError.of(Status.BAD_REQUEST_400, "the request body must be a JSON object").send(res);
        return null;
    }

    private static String contentText(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder parts = new StringBuilder();
        for (JsonNode part : content) {
            parts.append(part.path("text").asText());
        }
        return parts.toString();
    }

    private ObjectNode envelope(String id, long created, String object) {
        return Json.mapper().createObjectNode().put("id", id).put("object", object).put("created", created)
                .put("model", profile.model());
    }

    private static ObjectNode usage(long prompt, long completion) {
        return Json.mapper().createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void json(ServerResponse res, JsonNode body) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(body.toString());
    }
}
