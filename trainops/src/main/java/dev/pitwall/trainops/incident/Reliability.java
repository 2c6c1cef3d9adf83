package dev.pitwall.trainops.incident;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A cluster's reliability over a period, from its incidents: how often it fails (MTBF for the
 * cluster and per node, failures per 1,000 node-days, over the node-time actually observed: each
 * node from its first report on, unless the operator states the cluster's size; below
 * {@link #MIN_OBSERVED} of node-time they are not given), how fast failures are seen and fixed
 * (time to detect and to recover), what fails most (Pareto), and how much of the time training
 * ran (goodput).
 *
 * @param nodeDays            node-time observed (or stated nodes times the period), in days
 * @param enoughData          whether enough node-time was observed for the failure rates; they are null when not
 * @param goodputPct          share of the period not lost to incidents, from each incident's start (or detection)
 *                            to its mitigation (or the period's end), overlaps counted once; it assumes the
 *                            cluster runs one job all period
 * @param physicalUtilizationPct allocated GPUs over all GPUs, from dcgm-exporter scrapes; null without them
 * @param logicalUtilizationPct  mean SM activity (or GPU utilization) of the allocated GPUs; null without scrapes
 */
public record Reliability(@JsonProperty("from") Instant from, @JsonProperty("to") Instant to,
                          @JsonProperty("period_days") double periodDays, @JsonProperty("nodes") int nodes,
                          @JsonProperty("node_days") double nodeDays, @JsonProperty("enough_data") boolean enoughData,
                          @JsonProperty("failures") int failures,
                          @JsonProperty("mtbf_hours") Double mtbfHours,
                          @JsonProperty("mtbf_hours_per_node") Double mtbfHoursPerNode,
                          @JsonProperty("failures_per_1000_node_days") Double failuresPer1000NodeDays,
                          @JsonProperty("time_to_detect") Distribution timeToDetect,
                          @JsonProperty("time_to_recover") Distribution timeToRecover,
                          @JsonProperty("failure_modes") List<Mode> failureModes,
                          @JsonProperty("by_node") List<NodeFailures> byNode,
                          @JsonProperty("goodput_pct") double goodputPct,
                          @JsonProperty("physical_utilization_pct") Double physicalUtilizationPct,
                          @JsonProperty("logical_utilization_pct") Double logicalUtilizationPct,
                          @JsonProperty("incidents") List<Incident> incidents) {

    /** Seconds; all null when there is nothing to measure. */
    public record Distribution(@JsonProperty("count") int count, @JsonProperty("mean_s") Double meanSeconds,
                               @JsonProperty("p50_s") Double p50Seconds, @JsonProperty("p90_s") Double p90Seconds,
                               @JsonProperty("max_s") Double maxSeconds) {

        static Distribution of(List<Duration> durations) {
            if (durations.isEmpty()) {
                return new Distribution(0, null, null, null, null);
            }
            double[] s = durations.stream().mapToDouble(d -> d.toMillis() / 1000.0).sorted().toArray();
            return new Distribution(s.length, Arrays.stream(s).average().orElse(0), percentile(s, 50),
                    percentile(s, 90), s[s.length - 1]);
        }

        /** Nearest-rank percentile. */
        private static double percentile(double[] sorted, int p) {
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            return sorted[Math.max(0, rank - 1)];
        }
    }

    /** One failure mode (an incident category) in the Pareto ranking. */
    public record Mode(@JsonProperty("mode") String mode, @JsonProperty("failures") int failures,
                       @JsonProperty("pct") double pct, @JsonProperty("cumulative_pct") double cumulativePct) {
    }

    /** @param mtbfHours the node's observed time over its failures; null without enough data */
    public record NodeFailures(@JsonProperty("node") String node, @JsonProperty("failures") int failures,
                               @JsonProperty("mtbf_hours") Double mtbfHours) {
    }

    /** Node-time below which failure rates are noise: one node-day. */
    public static final Duration MIN_OBSERVED = Duration.ofHours(24);

    /**
     * @param observed    each node heard from, with how long it was observed in the period (from its first report)
     * @param statedNodes the cluster's size when the operator states it; it then sets node-days instead
     */
    public static Reliability of(List<Incident> incidents, Instant from, Instant to, Map<String, Duration> observed,
                                 OptionalInt statedNodes, Optional<UtilizationStore.Utilization> utilization) {
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("the period must end after it starts: " + from + " to " + to);
        }
        double hours = Duration.between(from, to).toMillis() / 3_600_000.0;
        Set<String> nodes = new TreeSet<>(observed.keySet());
        incidents.forEach(i -> nodes.add(i.suspectedNode()));
        int nodeCount = statedNodes.orElse(Math.max(1, nodes.size()));
        if (nodeCount < 1) {
            throw new IllegalArgumentException("the cluster must have at least one node, found " + nodeCount);
        }
        Map<String, Double> nodeHours = new TreeMap<>();
        observed.forEach((node, time) -> nodeHours.put(node, Math.min(hours, time.toMillis() / 3_600_000.0)));
        // Stated: every node all period. Observed: the cluster from its first node's first report.
        double totalNodeHours = statedNodes.isPresent() ? nodeCount * hours
                : nodeHours.values().stream().mapToDouble(Double::doubleValue).sum();
        double clusterHours = statedNodes.isPresent() ? hours
                : nodeHours.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        boolean enough = totalNodeHours >= MIN_OBSERVED.toSeconds() / 3600.0;
        int failures = incidents.size();

        Map<String, Integer> byMode = new TreeMap<>();
        Map<String, Integer> byNode = new TreeMap<>();
        for (Incident i : incidents) {
            byMode.merge(i.category(), 1, Integer::sum);
            byNode.merge(i.suspectedNode(), 1, Integer::sum);
        }
        List<Mode> modes = new ArrayList<>();
        double cumulative = 0;
        for (Map.Entry<String, Integer> e : byMode.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .toList()) {
            double pct = 100.0 * e.getValue() / failures;
            cumulative += pct;
            modes.add(new Mode(e.getKey(), e.getValue(), pct, cumulative));
        }
        List<NodeFailures> perNode = byNode.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> new NodeFailures(e.getKey(), e.getValue(), enough
                        ? (statedNodes.isPresent() ? hours : nodeHours.getOrDefault(e.getKey(), 0.0)) / e.getValue()
                        : null)).toList();

        return new Reliability(from, to, hours / 24, nodeCount, totalNodeHours / 24, enough, failures,
                failures == 0 || !enough ? null : clusterHours / failures,
                failures == 0 || !enough ? null : totalNodeHours / failures,
                enough ? 1000 * failures / (totalNodeHours / 24) : null,
                Distribution.of(incidents.stream().flatMap(i -> i.timeToDetect().stream()).toList()),
                Distribution.of(incidents.stream().flatMap(i -> i.timeToRecover().stream()).toList()),
                modes, perNode, 100 * (1 - lost(incidents, from, to) / (hours * 3_600_000)),
                utilization.map(UtilizationStore.Utilization::physicalPct).orElse(null),
                utilization.map(UtilizationStore.Utilization::logicalPct).orElse(null),
                incidents.stream().sorted(Comparator.comparing(Incident::detectedAt)).toList());
    }

    /** Milliseconds of the period inside some incident, from its start to its mitigation, overlaps counted once. */
    private static double lost(List<Incident> incidents, Instant from, Instant to) {
        return outages(incidents, from, to).stream().mapToLong(span -> span[1] - span[0]).sum();
    }

    /**
     * The stretches of the period inside some incident (epoch milliseconds, start and end), from each
     * incident's start (or detection) to its mitigation (or the period's end), overlapping ones merged,
     * in time order.
     */
    static List<long[]> outages(List<Incident> incidents, Instant from, Instant to) {
        List<long[]> spans = new ArrayList<>();
        for (Incident i : incidents) {
            Instant start = i.startedAt() != null ? i.startedAt() : i.detectedAt();
            Instant end = i.mitigatedAt() != null ? i.mitigatedAt() : to;
            long s = Math.max(start.toEpochMilli(), from.toEpochMilli());
            long e = Math.min(end.toEpochMilli(), to.toEpochMilli());
            if (e > s) {
                spans.add(new long[] {s, e});
            }
        }
        spans.sort(Comparator.comparingLong(span -> span[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] span : spans) {
            long[] last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && span[0] <= last[1]) {
                last[1] = Math.max(last[1], span[1]);
            } else {
                merged.add(span.clone());
            }
        }
        return merged;
    }
}
