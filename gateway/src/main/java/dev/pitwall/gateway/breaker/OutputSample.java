package dev.pitwall.gateway.breaker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.gateway.config.QualityConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one answer said, gathered as it is relayed (whole, or chunk by chunk) to be judged:
 * its text, its tokens and, when the backend returned them, each token's top log-probabilities.
 * Bounded: past {@value #MAX_CHARS} characters nothing more is kept, which is plenty to judge.
 */
public final class OutputSample {

    static final int MAX_CHARS = 16_384;
    private static final int MAX_TOKENS = 4_096;
    /** vLLM writes an alternative of probability zero (log −∞) as this. */
    static final double VLLM_NEG_INF = -9999.0;

    private final StringBuilder text = new StringBuilder();
    private final List<String> tokens = new ArrayList<>();
    private double entropySum;
    private int entropyCount;

    /** A whole answer of chat or completions. */
    public void addAnswer(JsonNode answer) {
        JsonNode choice = answer.path("choices").path(0);
        append(choice.path("message").path("content").asText(choice.path("text").asText("")));
        logprobs(choice.path("logprobs"));
    }

    /** One streamed chunk. */
    public void addChunk(JsonNode chunk) {
        JsonNode choice = chunk.path("choices").path(0);
        append(choice.path("delta").path("content").asText(choice.path("text").asText("")));
        logprobs(choice.path("logprobs"));
    }

    /** Takes the log-probabilities out of every choice; true when there were any. */
    public static boolean strip(ObjectNode answerOrChunk) {
        boolean stripped = false;
        for (JsonNode choice : answerOrChunk.path("choices")) {
            if (choice instanceof ObjectNode c && c.has("logprobs") && !c.get("logprobs").isNull()) {
                c.putNull("logprobs");
                stripped = true;
            }
        }
        return stripped;
    }

    public boolean hasOutput() {
        return !text.isEmpty() || !tokens.isEmpty();
    }

    public QualityScore score(QualityConfig config) {
        List<String> units = tokens.isEmpty() ? words() : tokens;
        int[] repetition = QualityScore.tailRepetition(units, config.repetitionMaxPattern());
        return new QualityScore(text.length(), text.toString().isBlank(), repetition[0], repetition[1],
                QualityScore.charEntropy(text), entropyCount == 0 ? Double.NaN : entropySum / entropyCount);
    }

    private List<String> words() {
        List<String> words = new ArrayList<>();
        for (String word : text.toString().trim().split("\\s+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }

    private void append(String piece) {
        if (text.length() < MAX_CHARS) {
            text.append(piece, 0, Math.min(piece.length(), MAX_CHARS - text.length()));
        }
    }

    /** Chat's {@code {"content":[{token, logprob, top_logprobs:[…]}]}} or completions' {@code tokens}/{@code top_logprobs}. */
    private void logprobs(JsonNode logprobs) {
        if (!logprobs.isObject() || tokens.size() >= MAX_TOKENS) {
            return;
        }
        if (logprobs.has("content")) {
            for (JsonNode entry : logprobs.path("content")) {
                tokens.add(entry.path("token").asText());
                List<Double> values = new ArrayList<>();
                entry.path("top_logprobs").forEach(alternative -> values.add(alternative.path("logprob").asDouble()));
                entropy(values);
            }
            return;
        }
        logprobs.path("tokens").forEach(token -> tokens.add(token.asText()));
        for (JsonNode alternatives : logprobs.path("top_logprobs")) {
            List<Double> values = new ArrayList<>();
            for (Map.Entry<String, JsonNode> alternative : alternatives.properties()) {
                values.add(alternative.getValue().asDouble());
            }
            entropy(values);
        }
    }

    /**
     * The entropy of one token's listed alternatives, renormalized over them and divided by the
     * largest it could be (all alike): 0 for a certain token, 1 for a coin among equals.
     */
    private void entropy(List<Double> logprobs) {
        double total = 0;
        List<Double> p = new ArrayList<>();
        for (double lp : logprobs) {
            if (lp > VLLM_NEG_INF && Double.isFinite(lp)) {
                p.add(Math.exp(lp));
                total += Math.exp(lp);
            }
        }
        if (p.size() < 2 || total <= 0) {
            return;
        }
        double h = 0;
        for (double pi : p) {
            double q = pi / total;
            h -= q > 0 ? q * Math.log(q) : 0;
        }
        entropySum += h / Math.log(p.size());
        entropyCount++;
    }
}
