package dev.pitwall.planner.profile;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * PyTorch profiler traces of one step window, one file per rank: the time breakdown per rank and
 * over all ranks, stragglers, and what bounds the run.
 *
 * @param breakdown   the ranks' mean shares
 * @param bottleneck  compute-bound, memory-bandwidth-bound, communication-bound, input-bound or launch-bound
 * @param evidence    the figures behind the bottleneck, in words
 * @param stragglers  ranks whose computation takes clearly longer than the median rank's
 */
public record ProfileAnalysis(@JsonProperty("ranks") List<RankProfile> ranks,
                              @JsonProperty("breakdown") RankProfile.Breakdown breakdown,
                              @JsonProperty("idle") RankProfile.Idle idle,
                              @JsonProperty("overlap_pct") double overlapPct,
                              @JsonProperty("bottleneck") String bottleneck, @JsonProperty("evidence") String evidence,
                              @JsonProperty("stragglers") List<Straggler> stragglers) {

    /** A rank that computes this much longer than the median; the others wait for it in their collectives. */
    static final double STRAGGLER_MARGIN = 0.10;

    public record Straggler(@JsonProperty("rank") int rank, @JsonProperty("computation_ms") double computationMs,
                            @JsonProperty("median_ms") double medianMs, @JsonProperty("slower_pct") double slowerPct) {
    }

    /** A trace file, a .gz, or a folder of them (one per rank). */
    public static ProfileAnalysis of(Path path) throws IOException {
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (Stream<Path> list = Files.list(path)) {
                files = list.filter(p -> p.getFileName().toString().matches(".*\\.json(\\.gz)?$")).sorted().toList();
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException(path + ": no .json or .json.gz traces in this folder");
            }
        } else if (Files.isRegularFile(path)) {
            files = List.of(path);
        } else {
            throw new IllegalArgumentException(path + ": no such file or folder");
        }
        List<RankProfile> ranks = new ArrayList<>();
        // Two traces of one rank (two step windows, or a copy) would count that rank twice in every mean.
        Map<Integer, Path> fileOfRank = new TreeMap<>();
        for (int i = 0; i < files.size(); i++) {
            RankProfile.Collector collector = new RankProfile.Collector();
            OptionalInt rank = TraceReader.read(files.get(i), collector);
            int number = rank.orElse(i);
            Path earlier = fileOfRank.putIfAbsent(number, files.get(i));
            if (earlier != null) {
                throw new IllegalArgumentException("rank " + number + " has two traces, " + earlier.getFileName() + " and "
                        + files.get(i).getFileName() + (rank.isPresent() ? "" : " (it records no rank: numbered by its place "
                        + "in the folder)") + "; give one trace per rank, all of one step window");
            }
            ranks.add(collector.result(number, files.get(i).toString()));
        }
        ranks.sort(Comparator.comparingInt(RankProfile::rank));
        return of(ranks);
    }

    static ProfileAnalysis of(List<RankProfile> ranks) {
        RankProfile.Breakdown mean = new RankProfile.Breakdown(
                mean(ranks, r -> r.breakdown().computationPct()), mean(ranks, r -> r.breakdown().communicationPct()),
                mean(ranks, r -> r.breakdown().memcpyPct()), mean(ranks, r -> r.breakdown().idlePct()));
        RankProfile.Idle idle = new RankProfile.Idle(mean(ranks, r -> r.idle().hostWaitPct()),
                mean(ranks, r -> r.idle().dataLoadingPct()), mean(ranks, r -> r.idle().synchronizationPct()));
        double overlap = mean(ranks, RankProfile::overlapPct);
        double matmulShare = mean(ranks, RankProfile::matmulSharePct);
        double shortKernels = mean(ranks, RankProfile::shortKernelsPct);

        // The largest loss names the bottleneck: communication not hidden behind computation, idle time waiting
        // for data, idle time waiting for the host to launch work, computation in bandwidth-bound kernels and
        // copies, or, when none of those dominates, computation in matrix multiplications.
        double compute = mean.computationPct() * matmulShare / 100;
        double memory = mean.computationPct() * (100 - matmulShare) / 100 + mean.memcpyPct();
        String[] names = {"compute-bound", "memory-bandwidth-bound", "communication-bound", "input-bound", "launch-bound"};
        double[] shares = {compute, memory, mean.communicationPct(), idle.dataLoadingPct(),
                idle.hostWaitPct() + idle.synchronizationPct()};
        int worst = 0;
        for (int i = 1; i < shares.length; i++) {
            if (shares[i] > shares[worst]) {
                worst = i;
            }
        }
        String evidence = switch (worst) {
            case 0 -> String.format(Locale.ROOT, "%.0f%% of the time in matrix-multiplication kernels; the GPUs are doing "
                    + "useful math, gains come from lower precision or fewer FLOPs", compute);
            case 1 -> String.format(Locale.ROOT, "%.0f%% of the time in element-wise, normalisation and copy kernels "
                    + "(matmul is only %.0f%% of kernel time): fuse them (torch.compile) or cut copies", memory, matmulShare);
            case 2 -> String.format(Locale.ROOT, "%.0f%% of the time in communication no computation hides (%.0f%% of "
                    + "communication overlaps computation)", mean.communicationPct(), overlap);
            case 3 -> String.format(Locale.ROOT, "the GPUs sit idle %.0f%% of the time while the data loader works",
                    idle.dataLoadingPct());
            default -> String.format(Locale.ROOT, "the GPUs sit idle %.0f%% of the time waiting on the host "
                    + "(%.0f%% in synchronisation); %.0f%% of kernels run under 10 us", shares[4],
                    idle.synchronizationPct(), shortKernels);
        };
        return new ProfileAnalysis(ranks, mean, idle, overlap, names[worst], evidence, stragglers(ranks));
    }

    private static List<Straggler> stragglers(List<RankProfile> ranks) {
        if (ranks.size() < 2) {
            return List.of();
        }
        double[] computation = ranks.stream().mapToDouble(RankProfile::computationMs).sorted().toArray();
        int n = computation.length;
        double median = n % 2 == 1 ? computation[n / 2] : (computation[n / 2 - 1] + computation[n / 2]) / 2;
        return ranks.stream().filter(r -> r.computationMs() > median * (1 + STRAGGLER_MARGIN))
                .map(r -> new Straggler(r.rank(), r.computationMs(), median, 100 * (r.computationMs() / median - 1)))
                .toList();
    }

    private static double mean(List<RankProfile> ranks, java.util.function.ToDoubleFunction<RankProfile> f) {
        return ranks.stream().mapToDouble(f).average().orElse(0);
    }
}
