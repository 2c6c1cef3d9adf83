package dev.pitwall.gateway.breaker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.gateway.config.QualityConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one answer said, gathered as it is relayed (whole, or chunk by chunk) to be judged: the
 * count of each character, the end of its text and of its tokens (where a degenerate answer
 * repeats itself), and the entropy of each token's top log-probabilities when the backend
 * returned them. Its memory is bounded whatever the answer's length: a few kilobytes a request.
 */
public final class OutputSample {

    /** The end of the answer kept, in characters and in tokens: enough for any repetition looked for. */
    static final int TAIL_CHARS = 2_048;
    private static final int TAIL_TOKENS = 512;
    /** vLLM writes an alternative of probability zero (log −∞) as this. */
    static final double VLLM_NEG_INF = -9999.0;

    private final Map<Integer, Integer> charCounts = new HashMap<>();
    private final StringBuilder tail = new StringBuilder();
    private final ArrayDeque<String> tokens = new ArrayDeque<>();
    private long chars;
    private boolean blank = true;
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

    public QualityScore score(QualityConfig config) {
        List<String> units = tokens.isEmpty() ? words() : new ArrayList<>(tokens);
        int[] repetition = QualityScore.tailRepetition(units, config.repetitionMaxPattern());
        return new QualityScore((int) Math.min(Integer.MAX_VALUE, chars), blank, repetition[0], repetition[1],
                QualityScore.charEntropy(charCounts, chars), entropyCount == 0 ? Double.NaN : entropySum / entropyCount);
    }

    /** The words of the text's end; the first may be cut, which no repetition at the end depends on. */
    private List<String> words() {
        List<String> words = new ArrayList<>();
        for (String word : tail.toString().trim().split("\\s+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }

    private void append(String piece) {
        piece.codePoints().forEach(c -> {
            charCounts.merge(c, 1, Integer::sum);
            chars++;
            blank &= Character.isWhitespace(c);
        });
        tail.append(piece);
        if (tail.length() > 2 * TAIL_CHARS) {
            tail.delete(0, tail.length() - TAIL_CHARS);
        }
    }

    /** Chat's {@code {"content":[{token, logprob, top_logprobs:[…]}]}} or completions' {@code tokens}/{@code top_logprobs}. */
    private void logprobs(JsonNode logprobs) {
        if (!logprobs.isObject()) {
            return;
        }
        if (logprobs.has("content")) {
            for (JsonNode entry : logprobs.path("content")) {
                token(entry.path("token").asText());
                List<Double> values = new ArrayList<>();
                entry.path("top_logprobs").forEach(alternative -> values.add(alternative.path("logprob").asDouble()));
                entropy(values);
            }
            return;
        }
        logprobs.path("tokens").forEach(token -> token(token.asText()));
        for (JsonNode alternatives : logprobs.path("top_logprobs")) {
            List<Double> values = new ArrayList<>();
            for (Map.Entry<String, JsonNode> alternative : alternatives.properties()) {
                values.add(alternative.getValue().asDouble());
            }
            entropy(values);
        }
    }

    private void token(String token) {
        tokens.addLast(token);
        if (tokens.size() > TAIL_TOKENS) {
            tokens.removeFirst();
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
