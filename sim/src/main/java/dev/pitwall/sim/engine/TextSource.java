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

    /** Characters of the noise fault's "tokens": letters, digits and punctuation, uniformly. */
    private static final String NOISE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#$%&*+/<=>?@^_~";
    /** Alternatives each token has, as many as OpenAI's top_logprobs allows at most in the sim. */
    static final int ALTERNATIVES = 5;
    /** What vLLM reports for an alternative whose log-probability is minus infinity. */
    static final double VLLM_NEG_INF = -9999.0;

    /** An answer's tokens with their log-probabilities, and why it ended: {@code stop} on its own, {@code length} at max_tokens. */
    record Answer(List<String> tokens, List<Logprob> logprobs, String finishReason) {
    }

    /** A token's log-probability and its most likely alternatives (the token itself first). */
    record Logprob(double logprob, List<String> alternatives, List<Double> alternativeLogprobs) {
    }

    /**
     * Output tokens for a request; the answer's natural length is cut at {@code maxTokens}. A
     * healthy model is confident but not certain of each token; one that repeats itself is
     * certain; one that emits noise has a flat distribution.
     */
    Answer answer(String requestKey, int minTokens, int maxNaturalTokens, int maxTokens, Faults.OutputFault fault) {
        SplittableRandom random = random(requestKey);
        int natural = minTokens + random.nextInt(maxNaturalTokens - minTokens + 1);
        int length = Math.min(natural, maxTokens);
        List<String> tokens = new ArrayList<>(length);
        List<Logprob> logprobs = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            String token = switch (fault) {
                case NONE -> word(random, i);
                case REPETITION -> i < 3 ? word(random, i) : " " + tokens.get(i % 3).strip();
                case NOISE -> noise(random);
            };
            tokens.add(token);
            double p = switch (fault) {
                case NONE -> 0.55 + 0.4 * random.nextDouble();
                case REPETITION -> 0.97 + 0.025 * random.nextDouble();
                case NOISE -> 0.03 + 0.02 * random.nextDouble();
            };
            logprobs.add(logprob(random, token, p, fault, i));
        }
        return new Answer(tokens, logprobs, natural > maxTokens ? "length" : "stop");
    }

    private static String word(SplittableRandom random, int index) {
        String word = WORDS[random.nextInt(WORDS.length)];
        return index == 0 ? word : " " + word;
    }

    private static String noise(SplittableRandom random) {
        StringBuilder token = new StringBuilder(random.nextInt(4) == 0 ? " " : "");
        for (int n = 2 + random.nextInt(4); n > 0; n--) {
            token.append(NOISE.charAt(random.nextInt(NOISE.length())));
        }
        return token.toString();
    }

    /** The chosen token at probability {@code p}; the rest of the mass over its alternatives, falling off. */
    private static Logprob logprob(SplittableRandom random, String token, double p, Faults.OutputFault fault,
                                   int index) {
        List<String> alternatives = new ArrayList<>(ALTERNATIVES);
        List<Double> values = new ArrayList<>(ALTERNATIVES);
        alternatives.add(token);
        values.add(Math.log(p));
        double rest = 1 - p;
        for (int k = 1; k < ALTERNATIVES; k++) {
            alternatives.add(fault == Faults.OutputFault.NOISE ? noise(random) : word(random, 1));
            // Noise: every alternative about as likely as the chosen token; otherwise halving shares.
            double share = fault == Faults.OutputFault.NOISE ? p * (0.8 + 0.2 * random.nextDouble()) : rest / 2;
            rest -= fault == Faults.OutputFault.NOISE ? 0 : share;
            values.add(Math.log(share));
        }
        if (index % 7 == 6) {
            values.set(ALTERNATIVES - 1, VLLM_NEG_INF); // as vLLM writes an alternative of probability zero
        }
        return new Logprob(Math.log(p), alternatives, values);
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
