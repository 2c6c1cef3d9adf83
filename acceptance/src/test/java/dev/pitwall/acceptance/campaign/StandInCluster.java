package dev.pitwall.acceptance.campaign;

import dev.pitwall.acceptance.run.CheckPlan;
import dev.pitwall.acceptance.run.CheckRunner;
import dev.pitwall.acceptance.run.StepResult;
import dev.pitwall.core.testing.StepClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Nodes that answer a campaign's steps with the tools' own output formats, chosen by the
 * step's output file name, and with faults a test sets per node and round. Each stage takes
 * {@link #STAGE_TIME} of the test's clock.
 */
final class StandInCluster implements CampaignRunner.StageExecutor {

    static final Duration STAGE_TIME = Duration.ofMinutes(20);

    /** What a node measures in a round. */
    record Reading(double busbw, boolean faultyGpu, double eccDbe, double linkDowned, boolean stepFails) {
        static Reading healthy() {
            return new Reading(480, false, 0, 0, false);
        }
    }

    interface Behaviour {
        Reading at(String node, int round);
    }

    /** A stage called: its round, name and nodes. */
    record Call(int round, String stage, List<String> nodes, Map<String, String> peers) {
    }

    final List<Call> calls = new ArrayList<>();
    private final StepClock clock;
    private final Behaviour behaviour;
    private final Map<String, String> crashes = new HashMap<>();
    /** round/stage → the node that other work held then. */
    private final Map<String, String> busy = new HashMap<>();

    StandInCluster(StepClock clock, Behaviour behaviour) {
        this.clock = clock;
        this.behaviour = behaviour;
    }

    /** Pitwall stops half-way through this stage of this round: outputs written, no record, nothing returned. */
    StandInCluster crashIn(int round, String stage) {
        crashes.put(round + "/" + stage, "");
        return this;
    }

    /** In this stage of this round another workload holds {@code node}: it is deferred, nothing written for it. */
    StandInCluster busyIn(int round, String stage, String node) {
        busy.put(round + "/" + stage, node);
        return this;
    }

    @Override
    public CheckRunner.RunRecord run(CheckPlan stage, int round, List<String> nodes, Map<String, String> peers,
                                     Path folder) throws IOException {
        calls.add(new Call(round, stage.name(), List.copyOf(nodes), Map.copyOf(peers)));
        Instant started = clock.instant();
        List<StepResult> results = new ArrayList<>();
        String held = busy.get(round + "/" + stage.name());
        for (CheckPlan.Step step : stage.steps()) {
            for (String node : nodes) {
                if (node.equals(held)) {
                    continue;
                }
                Path dir = Files.createDirectories(folder.resolve(node));
                Reading reading = behaviour.at(node, round);
                if (reading.stepFails() && step.output().endsWith(".log")) {
                    results.add(new StepResult(node, step.name(), step.output(), 127, false, 0.1, null));
                    Files.writeString(dir.resolve(step.output()), "sh: 1: all_reduce_perf: not found\n");
                    continue;
                }
                Files.writeString(dir.resolve(step.output()), output(step.output(), node, reading));
                results.add(new StepResult(node, step.name(), step.output(), 0, false, 1, null));
            }
        }
        clock.advance(STAGE_TIME);
        if (crashes.containsKey(round + "/" + stage.name())) {
            throw new IllegalStateException("power cut in round " + round + ", stage " + stage.name());
        }
        CheckRunner.RunRecord record = new CheckRunner.RunRecord(stage.name(), "local", nodes, started, clock.instant(),
                results, held == null || !nodes.contains(held) ? Map.of() : Map.of(held, "busy: research/llama-0"));
        CheckRunner.save(record, folder);
        return record;
    }

    private static String output(String file, String node, Reading r) {
        return switch (file) {
            case "all_reduce_perf.log" -> String.format(Locale.ROOT, """
                    # Collective test starting: all_reduce_perf
                    # nThread 1 nGpus 1 minBytes 8 maxBytes 8 step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0
                    #  Rank  0 Group  0 Pid 1 on %s device  0 [0000:18:00] NVIDIA H100 80GB HBM3
                      8589934592    2147483648     float     sum      -1    31000   277.0  %.2f       0    31001   277.0  %.2f       0
                    # Out of bounds values : 0 OK
                    # Avg bus bandwidth    : %.2f
                    # Collective test concluded: all_reduce_perf
                    """, node, r.busbw(), r.busbw(), r.busbw());
            case "gpu_burn.log" -> String.format(Locale.ROOT, """
                    GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-%s)
                    100.0%%  proc'd: 900 (50000 Gflop/s)   errors: %d   temps: 70 C
                    Tested 1 GPUs:
                    \tGPU 0: %s
                    """, node, r.faultyGpu() ? 12 : 0, r.faultyGpu() ? "FAULTY" : "OK");
            case "telemetry.prom", "telemetry-after.prom" -> String.format(Locale.ROOT, """
                    # TYPE DCGM_FI_DEV_ECC_DBE_VOL_TOTAL counter
                    DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",Hostname="%s"} %.0f
                    # TYPE DCGM_FI_DEV_GPU_TEMP gauge
                    DCGM_FI_DEV_GPU_TEMP{gpu="0",Hostname="%s"} 64
                    # TYPE node_infiniband_link_downed_total counter
                    node_infiniband_link_downed_total{device="mlx5_0",port="1"} %.0f
                    """, node, r.eccDbe(), node, r.linkDowned());
            default -> throw new IllegalArgumentException("the stand-in has no tool writing " + file);
        };
    }
}
