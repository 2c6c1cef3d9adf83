package dev.pitwall.bench;

import dev.pitwall.acceptance.campaign.CampaignFinding;
import dev.pitwall.acceptance.campaign.CampaignPlan;
import dev.pitwall.acceptance.campaign.CampaignStatus;
import dev.pitwall.acceptance.campaign.CampaignStore;
import dev.pitwall.acceptance.campaign.CampaignTrends;
import dev.pitwall.acceptance.campaign.NodeCounters;
import dev.pitwall.acceptance.campaign.NodeRound;
import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A campaign's bookkeeping at scale: NODES nodes (default 1,000) through ROUNDS rounds (default
 * 100) of one stage, each round's figures and counters stored for every node, every node's rounds
 * checked for trends at each round's end (as the runner does), then a restart's read-back of the
 * whole history and the campaign's status. Tool outputs are not parsed here (bench/acceptance.sh
 * measures the readers). Prints the time of each part, the slowest round's, the heap the history
 * holds and the store's size. Bounded: ROUNDS rounds, on an SQLite store in a temporary folder.
 */
public final class CampaignBench {

    private static final List<String> FIGURES = List.of("nccl.all_reduce_perf.busbw_max", "nccl.all_reduce_perf.avg_busbw",
            "gpu-burn.gflops_min", "dcgmi-diag.gflops_min", "perftest.ib_write_bw.bw_average_max",
            "fio.randread.read.iops");

    private CampaignBench() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Path dir = Files.createTempDirectory("pitwall-campaign-bench");
        CampaignPlan plan = CampaignPlan.load("burn-in");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            names.add(String.format(Locale.ROOT, "node-%04d", i));
        }
        try (Database database = Database.open(StorageConfig.defaults(), dir, new SimpleMeterRegistry())) {
            database.migrate(AcceptanceRuns.MODULE);
            CampaignStore store = new CampaignStore(database);
            Instant at = Instant.parse("2026-12-01T00:00:00Z");
            long id = store.create("bench", plan, null, names, dir.toString(), at, at.plus(Duration.ofDays(30)));
            Map<String, List<NodeRound>> history = new TreeMap<>();
            SplittableRandom random = new SplittableRandom(1);
            long start = System.nanoTime();
            double slowest = 0;
            long trendNanos = 0;
            for (int round = 1; round <= rounds; round++) {
                long roundStart = System.nanoTime();
                store.stageStarted(id, round, "stress", nodes, at);
                List<NodeRound> measured = new ArrayList<>(nodes);
                for (String node : names) {
                    Map<String, Double> figures = new TreeMap<>();
                    Map<String, String> stages = new TreeMap<>();
                    for (String figure : FIGURES) {
                        figures.put(figure, 1000 * (1 + random.nextDouble(-0.02, 0.02)));
                        stages.put(figure, "stress");
                    }
                    stages.put(NodeRound.COUNTERS, "stress");
                    Map<String, Double> counters = Map.of(NodeCounters.ECC_DBE, 0.0, NodeCounters.THERMAL_VIOLATION,
                            round * 1e5, NodeCounters.LINK_DOWNED, 0.0, NodeCounters.GPU_TEMP_MAX, 70.0,
                            NodeCounters.REMAPPED_UNCORRECTABLE, 0.0, NodeCounters.XID_LAST + "0", 0.0);
                    NodeRound r = new NodeRound(node, round, figures, counters, stages);
                    history.computeIfAbsent(node, n -> new ArrayList<>()).add(r);
                    measured.add(r);
                }
                long trendStart = System.nanoTime();
                List<CampaignFinding> trends = new ArrayList<>();
                history.forEach((node, own) -> trends.addAll(CampaignTrends.check(node, own, plan.trends())));
                trendNanos += System.nanoTime() - trendStart;
                store.stageFinished(id, round, "stress", at, measured, List.of(), Optional.of(trends));
                slowest = Math.max(slowest, (System.nanoTime() - roundStart) / 1e9);
            }
            double run = (System.nanoTime() - start) / 1e9;
            long heap = usedHeapAfterGc();
            history.clear();
            long released = usedHeapAfterGc();

            long readStart = System.nanoTime();
            Map<String, List<NodeRound>> reread = new TreeMap<>();
            store.eachRound(id, r -> reread.computeIfAbsent(r.node(), n -> new ArrayList<>()).add(r));
            double read = (System.nanoTime() - readStart) / 1e9;
            long statusStart = System.nanoTime();
            CampaignStatus status = CampaignStatus.of(store, id);
            double statusSeconds = (System.nanoTime() - statusStart) / 1e9;

            System.out.printf(Locale.ROOT, "%d nodes x %d rounds = %,d node rounds%n", nodes, rounds, (long) nodes * rounds);
            System.out.printf(Locale.ROOT, "rounds (store + trends)  %7.1f s   slowest round %.2f s, trends %.1f s in all%n",
                    run, slowest, trendNanos / 1e9);
            System.out.printf(Locale.ROOT, "history held in memory   %7.1f MiB  (%,d bytes a node round)%n",
                    (heap - released) / 1048576.0, (heap - released) / ((long) nodes * rounds));
            System.out.printf(Locale.ROOT, "restart: read back       %7.1f s   (%,d nodes)%n", read, reread.size());
            System.out.printf(Locale.ROOT, "status of the campaign   %7.2f s   (%d findings)%n", statusSeconds,
                    status.findings().size());
            System.out.printf(Locale.ROOT, "store                    %7.1f MiB%n",
                    Files.size(dir.resolve(Database.SQLITE_FILE)) / 1048576.0);
        }
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
