package dev.pitwall.gateway.prompt;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * Unleash's bucketing, exactly, so that a user is on the same side of a prompt rollout as of
 * the product's Unleash flags with the same group id: MurmurHash3 x86 32-bit over
 * {@code groupId:stickinessId} as UTF-8, taken unsigned, {@code % normalizer + 1}. Gradual
 * rollouts hash with seed 0 into 1–100; variants with seed 86028157 (Unleash's
 * {@code VARIANT_NORMALIZATION_SEED}) into 1–total weight. Unleash's clients agree on
 * {@code ("123", "gr1") → 73} and {@code ("999", "groupX") → 25} with seed 0, and 96 and 60
 * with the variant seed (their shared test vectors).
 */
public final class Bucketing {

    public static final int ROLLOUT_SEED = 0;
    public static final int VARIANT_SEED = 86028157;

    private Bucketing() {
    }

    /** The bucket, from 1 to {@code normalizer}, of {@code stickinessId} in {@code groupId}. */
    public static int normalized(String stickinessId, String groupId, int normalizer, int seed) {
        byte[] key = (groupId + ":" + stickinessId).getBytes(StandardCharsets.UTF_8);
        long hash = Hashing.murmur3_32_fixed(seed).hashBytes(key).asInt() & 0xffffffffL;
        return (int) (hash % normalizer) + 1;
    }
}
