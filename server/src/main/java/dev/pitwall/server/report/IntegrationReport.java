package dev.pitwall.server.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pitwall.acceptance.report.RootCauseHints;
import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.store.RunKind;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.report.Document;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The integration test report: one item per way the compute reaches the rest of the platform
 * (network, storage from the nodes, the storage interface, the scheduler, monitoring), each with
 * its target, the result of the newest stored run that checked it, and where to look first when it
 * did not pass. An item never checked says so, with the command that checks it: the report is
 * complete only when every item has a run.
 */
public final class IntegrationReport {

    /**
     * One item.
     *
     * @param verdict  the newest run's verdict on the item; null when no run checked it
     * @param findings the first of the run's findings that bear on the item (not passed); {@code findingCount} in all
     * @param hints    where to look first
     * @param how      the command that checks it
     */
    public record Item(@JsonProperty("item") String item, @JsonProperty("target") String target,
                       @JsonProperty("verdict") Verdict verdict, @JsonProperty("run_id") Long runId,
                       @JsonProperty("run") String run, @JsonProperty("checked_at") String checkedAt,
                       @JsonProperty("finding_count") int findingCount,
                       @JsonProperty("findings") List<Finding> findings, @JsonProperty("hints") List<String> hints,
                       @JsonProperty("how") String how) {
    }

    /**
     * @param verdict the worst item's, or null ("incomplete") when an item was never checked
     */
    public record Result(@JsonProperty("verdict") Verdict verdict, @JsonProperty("items") List<Item> items) {
    }

    private static final int SHOWN = 5;

    private IntegrationReport() {
    }

    public static Result of(AcceptanceRuns runs) {
        List<Item> items = new ArrayList<>();
        items.add(item("Compute–network", "every node's nccl-tests bus bandwidth and perftest RDMA bandwidth within 10 % "
                        + "of the fleet median (20 % below fails) and above the hardware profile's baselines; no NCCL "
                        + "errors or wrong values", runs.newestMeasuring("nccl."),
                f -> f.check().contains("nccl") || f.check().contains("perftest"),
                "pitwall check run --plan full, then check evaluate RESULTS --profile NAME --store"));
        items.add(item("Compute–storage", "fio from every node within 10 % of the fleet median, each job in one setup "
                        + "so nodes compare", runs.newestMeasuring("fio."), f -> f.check().contains("fio"),
                "pitwall check run --plan full (fio on every node at once), then check evaluate RESULTS --store"));
        items.add(item("Storage interface", "a volume of the class provisions, mounts, writes and reads back from two "
                        + "pods, the aggregate fio bandwidth from several pods at once meets the minimums, and nothing is "
                        + "left behind", runs.newest(RunKind.STORAGE_INTERFACE), f -> true,
                "pitwall check storage --storage-class NAME --pods 4 --store"));
        items.add(item("Scheduler", "GPU quotas and queues as configured, gang jobs that can fit placed whole, a "
                        + "topology-aware placement, preemption by priority", runs.newest(RunKind.SCHEDULER), f -> true,
                "pitwall check scheduler --probe volcano|kueue --store (or --snapshot DIR --store)"));
        items.add(item("Monitoring", "every metric training needs exported on every node and GPU (dcgm-exporter's "
                        + "fields, node-exporter, the scheduler's and the engines'), scraped and fresh",
                runs.newest(RunKind.MONITORING), f -> true, "pitwall check monitoring --scrape DIR --store (or "
                        + "--prometheus URL --store)"));
        boolean complete = items.stream().allMatch(i -> i.verdict() != null);
        Verdict worst = items.stream().map(Item::verdict).filter(v -> v != null).reduce(Verdict.PASS, Verdict::worst);
        return new Result(complete ? worst : null, items);
    }

    private static Item item(String name, String target, Optional<AcceptanceRuns.Stored> run, Predicate<Finding> bears,
                             String how) {
        if (run.isEmpty()) {
            return new Item(name, target, null, null, null, null, 0, List.of(), List.of(), how);
        }
        AcceptanceRuns.Summary s = run.get().summary();
        List<Finding> own = run.get().evaluation().findings().stream()
                .filter(f -> f.verdict() != Verdict.PASS && bears.test(f)).toList();
        Verdict verdict = own.stream().map(Finding::verdict).reduce(Verdict.PASS, Verdict::worst);
        List<String> hints = new ArrayList<>();
        RootCauseHints.of(own).values().forEach(list -> list.forEach(h -> {
            if (!hints.contains(h)) {
                hints.add(h);
            }
        }));
        if (hints.isEmpty()) {
            own.stream().map(Finding::detail).filter(d -> d != null && !d.isBlank()).distinct().limit(3)
                    .forEach(hints::add);
        }
        return new Item(name, target, verdict, s.id(), s.name(), s.createdAt().truncatedTo(ChronoUnit.SECONDS).toString(),
                own.size(), own.stream().limit(SHOWN).toList(), hints.stream().limit(SHOWN).toList(), how);
    }

    public static Document document(Result r) {
        List<Document.Section> sections = new ArrayList<>();
        long missing = r.items().stream().filter(i -> i.verdict() == null).count();
        sections.add(new Document.Facts("Summary", List.of(
                new Document.Fact("verdict", r.verdict() == null ? "INCOMPLETE: " + missing + " of " + r.items().size()
                        + " items never checked" : r.verdict().name()),
                new Document.Fact("items", String.valueOf(r.items().size())))));
        sections.add(new Document.Table("Items", List.of("item", "target", "result", "where to look first", "run"),
                r.items().stream().map(i -> List.of(i.item(), i.target(), result(i),
                        i.verdict() == null ? "check it: " + i.how() : String.join("; ", i.hints()),
                        i.runId() == null ? "" : "#" + i.runId() + " " + i.run() + ", " + i.checkedAt())).toList()));
        return new Document("Integration test report", "How the compute works with the network, storage, scheduler and "
                + "monitoring around it: each item's target, the newest stored run's result, and where to look first.",
                sections);
    }

    private static String result(Item i) {
        if (i.verdict() == null) {
            return "not checked";
        }
        long failing = i.findings().stream().filter(f -> f.verdict() == Verdict.FAIL).count();
        return i.findings().isEmpty() ? "PASS" : i.verdict().name() + ": " + i.findingCount() + " finding"
                + (i.findingCount() == 1 ? "" : "s") + (failing > 0 ? ", the first on " + i.findings().getFirst().node()
                + " (" + i.findings().getFirst().check() + ")" : "");
    }
}
