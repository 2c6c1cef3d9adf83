package dev.pitwall.acceptance.monitoring;

import dev.pitwall.acceptance.monitoring.MonitoringCatalog.Family;
import dev.pitwall.acceptance.monitoring.MonitoringCatalog.Item;
import dev.pitwall.acceptance.monitoring.MonitoringCatalog.Per;
import dev.pitwall.acceptance.monitoring.MonitoringCatalog.Scope;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.metrics.PrometheusSamples.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Whether a cluster's monitoring sees what training needs: every catalog item of every exporter
 * present, on every node and every GPU of the inventory (kube-state-metrics' nodes and their
 * {@code nvidia.com/gpu} capacity), and read right: no DCGM "not supported" sentinel taken for a
 * value, no series that cannot be joined to a Kubernetes node, MIG instances' profiling series
 * keyed by {@code GPU_I_ID}, no GPU counted once per pod sharing it, no stale sample, no counter
 * that went down between two rounds. Each missing item is named with what turns it on.
 */
public final class MonitoringCheck {

    /** DCGM's values at or above 0x7ffffffffffffff0 mean "not supported" or "blank", not a reading. */
    static final double DCGM_SENTINEL = 0x7ffffffffffffff0L;
    private static final String CLUSTER = "cluster";

    private final MonitoringCatalog catalog;
    private final Duration interval;

    /** @param interval the scrape interval: a sample older than twice it is stale */
    public MonitoringCheck(MonitoringCatalog catalog, Duration interval) {
        this.catalog = catalog;
        this.interval = interval;
    }

    /** The coverage of one family: items found of those expected. */
    public record Coverage(String family, int found, int expected, boolean present) {
    }

    /** What the check found; the findings are the acceptance report's kind. */
    public record Result(List<Finding> findings, List<Coverage> coverage, Set<String> nodes) {

        public Verdict verdict() {
            return findings.stream().map(Finding::verdict).reduce(Verdict.PASS, Verdict::worst);
        }
    }

    /** Judges the last of {@code rounds} (oldest first); earlier rounds serve the counters' check. */
    public Result check(List<Scrapes> rounds) {
        Scrapes now = rounds.getLast();
        List<Finding> findings = new ArrayList<>();
        unread(now, findings);
        Map<String, Integer> gpus = inventory(now);
        Set<String> nodes = new TreeSet<>(gpus.keySet());
        List<Coverage> coverage = new ArrayList<>();
        Set<String> groupsSeen = new TreeSet<>();
        Set<String> groups = new TreeSet<>();
        for (Family family : catalog.families()) {
            List<Sample> samples = samples(now, family);
            if (!family.group().isEmpty()) {
                groups.add(family.group());
            }
            if (samples.isEmpty()) {
                coverage.add(new Coverage(family.name(), 0, family.items().size(), false));
                if (family.required()) {
                    findings.add(new Finding(CLUSTER, "monitoring.family_missing", Verdict.FAIL, "no " + family.name()
                            + " series", family.name(), "no scrape holds a series of " + family.name() + " ("
                            + String.join(", ", family.prefixes()) + "…): it is not running, or not scraped"));
                }
                continue;
            }
            if (!family.group().isEmpty()) {
                groupsSeen.add(family.group());
            }
            // A family not every node has (an inference engine) is held to the nodes it was scraped on.
            Map<String, Integer> expected = family.required() ? gpus : scrapedOn(now, family, gpus);
            int found = 0;
            for (Item item : family.items()) {
                found += item(family, item, now, expected, findings) ? 1 : 0;
            }
            coverage.add(new Coverage(family.name(), found, family.items().size(), true));
            if (family.scope() == Scope.NODE && family.required()) {
                for (String node : nodes) {
                    if (now.files().stream().noneMatch(s -> s.node().equals(node)
                            && s.exposition().samples().stream().anyMatch(x -> family.owns(x.name())))) {
                        findings.add(new Finding(node, "monitoring.node_missing", family.required() ? Verdict.FAIL
                                : Verdict.WARN, "no " + family.name() + " scrape", family.name(),
                                "the node is in the inventory but no " + family.name() + " output came from it"));
                    }
                }
            }
        }
        for (String group : groups) {
            if (!groupsSeen.contains(group)) {
                List<String> names = catalog.families().stream().filter(f -> f.group().equals(group)).map(Family::name)
                        .toList();
                findings.add(new Finding(CLUSTER, "monitoring.family_missing", Verdict.FAIL, "no " + group + " series",
                        String.join(" or ", names), "no scrape holds a series of the " + group + " ("
                        + String.join(" or ", names) + ")"));
            }
        }
        unjoinable(now, nodes, findings);
        migWithoutInstance(now, findings);
        doubleCounted(now, findings);
        stale(now, findings);
        for (int i = 1; i < rounds.size(); i++) {
            decreased(rounds.get(i - 1), rounds.get(i), findings);
        }
        return new Result(List.copyOf(findings), List.copyOf(coverage), nodes);
    }

    /** Checks one item where it must appear; true when it appears everywhere it should. */
    private boolean item(Family family, Item item, Scrapes now, Map<String, Integer> gpus, List<Finding> findings) {
        Verdict missing = item.optional() ? Verdict.WARN : Verdict.FAIL;
        String fix = item.enable() == null ? "" : "; to turn it on: " + item.enable();
        List<Sample> series = samples(now, family).stream().filter(s -> item.named(s.name())).toList();
        if (series.isEmpty() || item.per() == Per.CLUSTER) {
            if (series.isEmpty()) {
                findings.add(new Finding(CLUSTER, "monitoring.missing", missing, "absent", item.metric(),
                        family.name() + " does not expose " + item.metric() + fix));
            }
            return !series.isEmpty();
        }
        boolean everywhere = true;
        for (Map.Entry<String, Integer> node : gpus.entrySet()) {
            List<Sample> onNode = onNode(now, family, item, node.getKey());
            if (item.per() == Per.NODE) {
                if (onNode.isEmpty()) {
                    everywhere = false;
                    findings.add(new Finding(node.getKey(), "monitoring.missing", missing, "absent", item.metric(),
                            family.name() + " exposes " + item.metric() + " elsewhere but not for this node" + fix));
                }
                continue;
            }
            for (int gpu = 0; gpu < node.getValue(); gpu++) {
                String index = String.valueOf(gpu);
                List<Sample> onGpu = onNode.stream().filter(s -> s.label(family.gpuLabel()).equals(index)).toList();
                if (onGpu.isEmpty()) {
                    everywhere = false;
                    findings.add(new Finding(node.getKey(), "monitoring.missing", missing, "absent on GPU " + gpu,
                            item.metric(), family.name() + " exposes " + item.metric() + " for other GPUs but not GPU "
                            + gpu + " of this node" + fix));
                } else if (onGpu.stream().allMatch(s -> s.value() >= DCGM_SENTINEL)) {
                    everywhere = false;
                    findings.add(new Finding(node.getKey(), "monitoring.not_supported", missing,
                            String.format("%.0f on GPU %d", onGpu.getFirst().value(), gpu), item.metric(),
                            "the value is DCGM's \"not supported\" sentinel (0x7ffffffffffffff0 or above): read as "
                                    + "missing, not as a reading; the field is not supported on this GPU or driver"));
                }
            }
        }
        return everywhere;
    }

    private static Map<String, Integer> scrapedOn(Scrapes now, Family family, Map<String, Integer> gpus) {
        Map<String, Integer> out = new TreeMap<>();
        for (Scrapes.Scrape scrape : now.files()) {
            if (scrape.exposition().samples().stream().anyMatch(s -> family.owns(s.name()))) {
                out.put(scrape.node(), gpus.getOrDefault(scrape.node(), 0));
            }
        }
        return out;
    }

    /**
     * The nodes to see, with their GPUs: kube-state-metrics' nodes and {@code nvidia.com/gpu}
     * capacity; without them the folders the scrapes came in; a node whose capacity is not known,
     * the GPUs its dcgm-exporter shows.
     */
    private Map<String, Integer> inventory(Scrapes now) {
        Map<String, Integer> gpus = new TreeMap<>();
        for (Scrapes.Scrape scrape : now.files()) {
            for (Sample s : scrape.exposition().samples()) {
                if (s.name().equals("kube_node_info") && !s.label("node").isEmpty()) {
                    gpus.putIfAbsent(s.label("node"), 0);
                }
            }
        }
        for (Scrapes.Scrape scrape : now.files()) {
            for (Sample s : scrape.exposition().samples()) {
                if (s.name().equals("kube_node_status_capacity") && s.label("resource").equals("nvidia_com_gpu")) {
                    gpus.put(s.label("node"), (int) s.value());
                }
            }
        }
        boolean inventoried = !gpus.isEmpty();
        for (Scrapes.Scrape scrape : now.files()) {
            if (!scrape.clusterWide() && (!inventoried || gpus.getOrDefault(scrape.node(), -1) == 0)) {
                int seen = (int) scrape.exposition().samples().stream().filter(s -> s.name().startsWith("DCGM_FI_"))
                        .map(s -> s.label("gpu")).filter(g -> !g.isEmpty()).distinct().count();
                if (!inventoried || gpus.containsKey(scrape.node())) {
                    gpus.merge(scrape.node(), seen, Math::max);
                }
            }
        }
        return gpus;
    }

    private static List<Sample> samples(Scrapes now, Family family) {
        List<Sample> out = new ArrayList<>();
        for (Scrapes.Scrape scrape : now.files()) {
            scrape.exposition().samples().stream().filter(s -> family.owns(s.name())).forEach(out::add);
        }
        return out;
    }

    /** The item's series for {@code node}: from the node's own scrapes, or by the node label of a cluster-wide one. */
    private static List<Sample> onNode(Scrapes now, Family family, Item item, String node) {
        List<Sample> out = new ArrayList<>();
        for (Scrapes.Scrape scrape : now.files()) {
            boolean mine = family.scope() == Scope.NODE ? scrape.node().equals(node) : scrape.clusterWide();
            if (!mine) {
                continue;
            }
            for (Sample s : scrape.exposition().samples()) {
                if (item.named(s.name()) && (family.scope() == Scope.NODE || s.label(family.nodeLabel()).equals(node))) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static void unread(Scrapes now, List<Finding> findings) {
        for (Scrapes.Scrape scrape : now.files()) {
            scrape.exposition().unread().forEach((line, why) -> findings.add(new Finding(scrape.node(),
                    "monitoring.unread", Verdict.WARN, scrape.file().getFileName() + ":" + line, "a sample line",
                    "line " + line + " of " + scrape.file() + " could not be read: " + why)));
        }
    }

    /** Node-scoped series whose node (folder, or node label) is not a Kubernetes node. */
    private void unjoinable(Scrapes now, Set<String> nodes, List<Finding> findings) {
        boolean inventoried = now.files().stream().anyMatch(s -> s.exposition().samples().stream()
                .anyMatch(x -> x.name().equals("kube_node_info")));
        if (!inventoried) {
            return;
        }
        Map<String, String> reported = new LinkedHashMap<>();
        for (Scrapes.Scrape scrape : now.files()) {
            if (scrape.clusterWide()) {
                continue;
            }
            for (Sample s : scrape.exposition().samples()) {
                String named = catalog.familyOf(s.name()).filter(f -> !f.nodeLabel().isEmpty())
                        .map(f -> s.label(f.nodeLabel())).filter(v -> !v.isEmpty()).orElse(scrape.node());
                if (!nodes.contains(named)) {
                    reported.putIfAbsent(named, s.name());
                }
            }
        }
        reported.forEach((node, metric) -> findings.add(new Finding(node, "monitoring.unjoinable", Verdict.FAIL,
                "node \"" + node + "\"", "a Kubernetes node", "series such as " + metric + " name node " + node
                + ", which kube-state-metrics does not list: dashboards and alerts cannot join them to the node "
                + "(set dcgm-exporter's Hostname to the node name, e.g. NODE_NAME from spec.nodeName)")));
    }

    /** On a GPU in MIG mode, profiling series must say which instance they are of. */
    private void migWithoutInstance(Scrapes now, List<Finding> findings) {
        for (Scrapes.Scrape scrape : now.files()) {
            Set<String> migGpus = new TreeSet<>();
            for (Sample s : scrape.exposition().samples()) {
                if (s.name().startsWith("DCGM_FI_") && !s.label("GPU_I_ID").isEmpty()) {
                    migGpus.add(s.label("gpu"));
                }
            }
            Map<String, String> unkeyed = new TreeMap<>();
            for (Sample s : scrape.exposition().samples()) {
                if (s.name().startsWith("DCGM_FI_PROF_") && migGpus.contains(s.label("gpu"))
                        && s.label("GPU_I_ID").isEmpty()) {
                    unkeyed.putIfAbsent(s.label("gpu"), s.name());
                }
            }
            unkeyed.forEach((gpu, metric) -> findings.add(new Finding(scrape.node(), "monitoring.mig_unkeyed",
                    Verdict.FAIL, metric + " on GPU " + gpu + " without GPU_I_ID", "GPU_I_ID on every instance's series",
                    "GPU " + gpu + " is in MIG mode but " + metric + " has a series without GPU_I_ID: it cannot be told "
                            + "apart from the instances' own, and sums count the GPU twice")));
        }
    }

    /** The same GPU's series under several pods: a sum by pod counts the GPU once per pod. */
    private void doubleCounted(Scrapes now, List<Finding> findings) {
        for (Scrapes.Scrape scrape : now.files()) {
            Map<String, Set<String>> pods = new TreeMap<>();
            for (Sample s : scrape.exposition().samples()) {
                if (s.name().startsWith("DCGM_FI_") && !s.label("pod").isEmpty()) {
                    pods.computeIfAbsent(s.label("gpu") + "|" + s.label("GPU_I_ID") + "|" + s.name(),
                            k -> new TreeSet<>()).add(s.label("namespace") + "/" + s.label("pod"));
                }
            }
            Map<String, Set<String>> byGpu = new TreeMap<>();
            pods.forEach((key, names) -> {
                if (names.size() > 1) {
                    byGpu.computeIfAbsent(key.substring(0, key.lastIndexOf('|')), k -> new TreeSet<>()).addAll(names);
                }
            });
            byGpu.forEach((gpu, names) -> findings.add(new Finding(scrape.node(), "monitoring.double_counted",
                    Verdict.WARN, names.size() + " pods on GPU " + gpu.substring(0, gpu.indexOf('|')),
                    "one pod per GPU series", "the GPU's series are repeated for " + String.join(", ", names)
                    + " (time-slicing or MPS): a sum over pods counts this GPU " + names.size() + " times; "
                    + "aggregate by gpu or UUID, not by pod")));
        }
    }

    /** Samples with timestamps more than two intervals older than the newest of the round. */
    private void stale(Scrapes now, List<Finding> findings) {
        long newest = now.files().stream().flatMap(s -> s.exposition().samples().stream())
                .filter(s -> s.timestampMillis() != null).mapToLong(Sample::timestampMillis).max().orElse(Long.MIN_VALUE);
        if (newest == Long.MIN_VALUE) {
            return;
        }
        long limit = newest - 2 * interval.toMillis();
        for (Scrapes.Scrape scrape : now.files()) {
            Map<String, Long> oldest = new TreeMap<>();
            for (Sample s : scrape.exposition().samples()) {
                if (s.timestampMillis() != null && s.timestampMillis() < limit) {
                    oldest.merge(s.name(), s.timestampMillis(), Math::min);
                }
            }
            oldest.forEach((metric, at) -> findings.add(new Finding(scrape.node(), "monitoring.stale", Verdict.WARN,
                    metric + " " + (newest - at) / 1000 + " s old", "at most " + 2 * interval.toSeconds() + " s old",
                    metric + " has samples older than twice the scrape interval: the exporter is not updating it")));
        }
    }

    /** Counters lower in {@code later} than in {@code earlier}: an exporter restart, or not a counter at all. */
    private void decreased(Scrapes earlier, Scrapes later, List<Finding> findings) {
        Map<String, Double> before = new HashMap<>();
        for (Scrapes.Scrape scrape : earlier.files()) {
            for (Sample s : scrape.exposition().samples()) {
                if (counter(scrape, s)) {
                    before.put(scrape.node() + "|" + s.name() + s.labels(), s.value());
                }
            }
        }
        for (Scrapes.Scrape scrape : later.files()) {
            Map<String, String> down = new TreeMap<>();
            for (Sample s : scrape.exposition().samples()) {
                Double was = before.get(scrape.node() + "|" + s.name() + s.labels());
                if (was != null && counter(scrape, s) && s.value() < was && s.value() < DCGM_SENTINEL) {
                    down.putIfAbsent(s.name(), String.format("%s went from %.0f to %.0f", s.labels(), was, s.value()));
                }
            }
            down.forEach((metric, how) -> findings.add(new Finding(scrape.node(), "monitoring.counter_decreased",
                    Verdict.WARN, how, "a counter that only grows", metric + " went down between two rounds: the "
                    + "exporter restarted (rates over the reset are wrong) or the series is not a counter")));
        }
    }

    private boolean counter(Scrapes.Scrape scrape, Sample s) {
        if ("counter".equals(scrape.exposition().types().get(s.name()))
                || "counter".equals(scrape.exposition().types().get(s.name().replaceFirst("_total$", "")))) {
            return true;
        }
        return catalog.familyOf(s.name()).stream().flatMap(f -> f.items().stream())
                .anyMatch(i -> i.named(s.name()) && i.counter());
    }
}
