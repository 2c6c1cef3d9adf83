package dev.pitwall.sim.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The simulated model's "weights": answers and embeddings drawn from a generator seeded by the
 * engine's seed and the request's content, so the same request to the same engine always gets
 * the same answer, streamed or not.
 */
final class TextSource {

    private static final String[] WORDS = (
            "the cluster runs training jobs on many GPUs while the gateway streams tokens to users and "
            + "every node reports its health so that faults are found fast and fixed before the next "
            + "checkpoint a model learns from data in steps of batches measured in tokens per second with "
            + "memory bandwidth compute and network links shared across ranks").split(" ");

    private final long seed;

    TextSource(long seed) {
        this.seed = seed;
    }

    /** An answer's tokens, and why it ended: {@code stop} on its own, {@code length} at max_tokens. */
    record Answer(List<String> tokens, String finishReason) {
    }

    /** Output tokens for a request; the answer's natural length is cut at {@code maxTokens}. */
    Answer answer(String requestKey, int minTokens, int maxNaturalTokens, int maxTokens) {
        SplittableRandom random = random(requestKey);
        int natural = minTokens + random.nextInt(maxNaturalTokens - minTokens + 1);
        int length = Math.min(natural, maxTokens);
        List<String> tokens = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            String word = WORDS[random.nextInt(WORDS.length)];
            tokens.add(i == 0 ? word : " " + word);
        }
        return new Answer(tokens, natural > maxTokens ? "length" : "stop");
    }

    /** A unit-length vector for {@code text}. */
    double[] embedding(String text, int dimensions) {
        SplittableRandom random = random(text);
        double[] vector = new double[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            vector[i] = random.nextDouble(-1, 1);
            norm += vector[i] * vector[i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < dimensions; i++) {
            vector[i] /= norm;
        }
        return vector;
    }

    /** Tokens in {@code text} as the simulated tokenizer counts them: about four characters each. */
    static long countTokens(String text) {
        return Math.max(1, (text.length() + 3) / 4);
    }

    private SplittableRandom random(String key) {
        // FNV-1a over the key's bytes, mixed with the engine's seed.
        long hash = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b;
            hash *= 0x100000001b3L;
        }
        return new SplittableRandom(hash ^ seed);
    }
}
