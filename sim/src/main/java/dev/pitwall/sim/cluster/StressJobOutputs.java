package dev.pitwall.sim.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;

/**
 * What a reference GPT training job leaves behind at one scale of a stress test, as Megatron-LM
 * writes it: a log of iteration lines with {@code --log-throughput}'s "throughput per GPU
 * (TFLOP/s/GPU)", and a checkpoint folder ({@code iter_NNNNNNN/mp_rank_00/model_optim_rng.pt} and
 * {@code latest_checkpointed_iteration.txt}). A healthy fabric loses about 1.5 % of per-GPU
 * throughput each time the node count doubles (weak scaling); faults make it lose more, crash, or
 * skip the checkpoint.
 */
public final class StressJobOutputs {

    /** Per-GPU TFLOP/s of a 7B GPT in BF16 on H100 SXM at the smallest scale: about 42 % of the 989 TFLOPS peak. */
    static final double BASE_TFLOPS = 415;
    static final double LOSS_PER_DOUBLING = 0.015;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /**
     * Faults from a scale on; 0 for none.
     *
     * @param slowFabricFrom from this many nodes on, a congested spine takes a quarter of the throughput
     * @param noCheckpointAt at this scale the save fails (no space on the shared file system) and writes nothing
     * @param crashAt        at this scale the job dies half-way (a GPU falls off the bus) with exit 1
     */
    public record Faults(int slowFabricFrom, int noCheckpointAt, int crashAt) {
        public static final Faults NONE = new Faults(0, 0, 0);
    }

    private StressJobOutputs() {
    }

    /**
     * Writes one scale's log (and checkpoint) into {@code output}; answers the job's exit status.
     *
     * @param smallest the plan's smallest scale, from which each doubling costs {@link #LOSS_PER_DOUBLING}
     */
    public static int write(Path output, String log, int nodes, int smallest, int gpusPerNode, int iterations,
                            Faults faults, long seed, Instant start) throws IOException {
        Random random = new Random(seed * 31 + nodes);
        double efficiency = 1 - LOSS_PER_DOUBLING * (Math.log((double) nodes / smallest) / Math.log(2));
        if (faults.slowFabricFrom() > 0 && nodes >= faults.slowFabricFrom()) {
            efficiency *= 0.75;
        }
        int gpus = nodes * gpusPerNode;
        int last = faults.crashAt() == nodes ? iterations / 2 : iterations;
        StringBuilder text = new StringBuilder();
        Instant at = start;
        double loss = 10.4;
        for (int i = 1; i <= last; i++) {
            // The first steps compile kernels and fill the data loader: slower, as warm-up is.
            double warm = i <= 3 ? 0.55 + 0.1 * i : 1;
            double tflops = BASE_TFLOPS * efficiency * warm * (1 + 0.01 * random.nextGaussian());
            double stepMs = 9_800 * BASE_TFLOPS / tflops;
            at = at.plusMillis((long) stepMs);
            loss = loss * 0.985 + 0.01 * random.nextGaussian();
            text.append(String.format(Locale.ROOT, " [%s] iteration %8d/%8d | consumed samples: %12d | elapsed time per "
                            + "iteration (ms): %.1f | throughput per GPU (TFLOP/s/GPU): %.1f | learning rate: 1.500000E-04 | "
                            + "global batch size: %5d | lm loss: %.6E | loss scale: 1.0 | grad norm: %.3f | number of "
                            + "skipped iterations:   0 | number of nan iterations:   0 |%n", STAMP.format(at), i, iterations,
                    (long) i * gpus / 2, stepMs, tflops, gpus / 2, loss, 1.2 + 0.1 * random.nextGaussian()));
        }
        if (last < iterations) {
            text.append("[rank13]: RuntimeError: CUDA error: unspecified launch failure\n");
        }
        Files.writeString(output.resolve(log), text, StandardCharsets.UTF_8);
        if (last < iterations) {
            return 1;
        }
        if (faults.noCheckpointAt() != nodes) {
            Path iteration = output.resolve("checkpoint").resolve(String.format(Locale.ROOT, "iter_%07d", iterations))
                    .resolve("mp_rank_00");
            Files.createDirectories(iteration);
            byte[] shard = new byte[64 * 1024];
            random.nextBytes(shard);
            Files.write(iteration.resolve("model_optim_rng.pt"), shard);
            Files.writeString(output.resolve("checkpoint").resolve("latest_checkpointed_iteration.txt"),
                    String.valueOf(iterations));
        }
        return 0;
    }
}
