package dev.pitwall.gateway.breaker;

import dev.pitwall.gateway.config.QualityConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How one answer reads, by the measures a broken deployment shows in: its end repeating one
 * n-gram (the definition of vLLM's {@code repetition_detection}: the last n tokens, for some n up
 * to a maximum, repeated at least a minimum count of times back to back), the Shannon entropy of
 * its characters (bits per character, against the model's usual), the normalized entropy of its
 * tokens' top log-probabilities when the backend returned them, and emptiness.
 *
 * @param chars          characters of text
 * @param empty          no text but white space
 * @param repeatPattern  tokens in the n-gram its end repeats (0 when none repeats)
 * @param repeatCount    times that n-gram repeats back to back at the end
 * @param charEntropy    bits per character
 * @param tokenEntropy   mean normalized entropy of the top log-probabilities (0–1), NaN when none came
 */
public record QualityScore(int chars, boolean empty, int repeatPattern, int repeatCount, double charEntropy,
                           double tokenEntropy) {

    /** Why the answer is bad, or empty when it reads as a healthy model's; {@code usualCharEntropy} NaN while unknown. */
    public Optional<String> fault(QualityConfig config, double usualCharEntropy) {
        if (empty) {
            return Optional.of("empty answer");
        }
        if (repeatCount >= config.repetitionMinCount()) {
            return Optional.of("ends repeating a " + repeatPattern + "-token phrase " + repeatCount + " times");
        }
        if (!Double.isNaN(tokenEntropy) && tokenEntropy > config.tokenEntropyMax()) {
            return Optional.of(String.format(java.util.Locale.ROOT, "token entropy %.2f above %.2f", tokenEntropy,
                    config.tokenEntropyMax()));
        }
        if (chars >= config.minChars() && !Double.isNaN(usualCharEntropy)
                && Math.abs(charEntropy - usualCharEntropy) > config.charEntropyTolerance()) {
            return Optional.of(String.format(java.util.Locale.ROOT, "%.2f bits per character, the model's usual %.2f",
                    charEntropy, usualCharEntropy));
        }
        return Optional.empty();
    }

    /** Shannon entropy, in bits per character, of a text of {@code total} characters counted in {@code counts}. */
    static double charEntropy(Map<Integer, Integer> counts, long total) {
        if (total == 0) {
            return 0;
        }
        double h = 0;
        for (int count : counts.values()) {
            double p = (double) count / total;
            h -= p * Math.log(p) / Math.log(2);
        }
        return h;
    }

    /**
     * The n-gram (n from 1 to {@code maxPattern}) that the end of {@code tokens} repeats most
     * often back to back: {pattern length, repeat count}; {0, 0} when none repeats.
     */
    static int[] tailRepetition(List<String> tokens, int maxPattern) {
        int bestPattern = 0;
        int bestCount = 0;
        int size = tokens.size();
        for (int n = 1; n <= maxPattern && n * 2 <= size; n++) {
            int count = 1;
            while ((count + 1) * n <= size && sameBlock(tokens, size - n, size - (count + 1) * n, n)) {
                count++;
            }
            if (count >= 2 && count > bestCount) {
                bestPattern = n;
                bestCount = count;
            }
        }
        return new int[] {bestPattern, bestCount};
    }

    private static boolean sameBlock(List<String> tokens, int a, int b, int n) {
        for (int i = 0; i < n; i++) {
            if (!Objects.equals(tokens.get(a + i).strip(), tokens.get(b + i).strip())) {
                return false;
            }
        }
        return true;
    }
}
