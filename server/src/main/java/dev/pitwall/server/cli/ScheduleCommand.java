package dev.pitwall.server.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.planner.schedule.Policy;
import dev.pitwall.planner.schedule.ScheduleReport;
import dev.pitwall.planner.schedule.ScheduleResult;
import dev.pitwall.planner.schedule.ScheduleSimulator;
import dev.pitwall.planner.schedule.SimCluster;
import dev.pitwall.planner.schedule.SimJob;
import dev.pitwall.planner.schedule.SyntheticTrace;
import dev.pitwall.planner.schedule.Trace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = {"Replay a job trace on a cluster model under scheduling policies and compare them: job "
                + "completion time (mean, p50, p99), wait, makespan, GPU allocation, fragmentation (free GPUs on "
                + "partly used nodes), Jain's fairness between queues and the max/min dominant share.",
            "Policies: fifo, sjf, drf, fair-share, gang (arrival order with backfill), topology-bestfit, "
                + "topology-balanced. Traces: SenseTime Helios cluster_log.csv, Microsoft Philly cluster_job_log "
                + "JSON, Alibaba cluster-trace-gpu-v2023 pod lists and v2020 pai_task_table.csv, or --synthetic N."})
final class ScheduleCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--cluster", paramLabel = "FILE", required = true,
            description = "The cluster model (YAML): nodes, gpus-per-node, cpus-per-node, memory-gb-per-node, "
                    + "nodes-per-rack, racks-per-block; or an Alibaba cluster-trace-gpu-v2023 node list "
                    + "(openb_node_list_gpu_node.csv), modelled by its most common GPU node.")
    Path clusterFile;

    @Option(names = "--jobs", paramLabel = "FILE", description = "A job trace (Helios CSV, Philly JSON, Alibaba v2023 pod list or v2020 task table).")
    Path jobsFile;

    @Option(names = "--synthetic", paramLabel = "N", description = "N synthetic jobs instead of a trace.")
    Integer synthetic;

    @Option(names = "--load", paramLabel = "RATIO", defaultValue = "0.9",
            description = "The synthetic trace's offered load, in the cluster's GPUs (default: ${DEFAULT-VALUE}).")
    double load;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "(default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--policy", paramLabel = "NAMES", split = ",",
            defaultValue = "fifo,sjf,drf,fair-share,gang,topology-bestfit,topology-balanced",
            description = "Policies to compare, comma-separated (default: all).")
    List<String> policies;

    @Option(names = "--format", paramLabel = "text|md|html|json", defaultValue = "text",
            description = "text: a table; md and html: the report with the CDF of completion times and the allocation "
                    + "over time; json: every figure (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Override
    public Integer call() throws IOException {
        Optional<String> refused = format.refusedUnless(OutputFormat.TEXT, OutputFormat.MD, OutputFormat.HTML,
                OutputFormat.JSON);
        if (refused.isPresent()) {
            return PitwallCommand.usageError(spec, refused.get());
        }
        if ((jobsFile == null) == (synthetic == null)) {
            return PitwallCommand.usageError(spec, "give --jobs FILE or --synthetic N (not both)");
        }
        List<Policy> chosen = new ArrayList<>();
        for (String name : policies) {
            Optional<Policy> p = Policy.parse(name.strip());
            if (p.isEmpty()) {
                return PitwallCommand.usageError(spec, "no policy " + name + ": fifo, sjf, drf, fair-share, gang, "
                        + "topology-bestfit or topology-balanced");
            }
            chosen.add(p.get());
        }
        SimCluster cluster;
        List<String> clusterNotes;
        List<SimJob> jobs;
        Trace trace = null;
        try {
            SimCluster.Model model = SimCluster.readModel(clusterFile);
            cluster = model.cluster();
            clusterNotes = model.notes();
            if (synthetic != null) {
                jobs = SyntheticTrace.generate(seed, synthetic, cluster, load);
            } else {
                trace = Trace.read(jobsFile);
                jobs = trace.jobs();
            }
        } catch (IOException | IllegalArgumentException e) {
            return PitwallCommand.usageError(spec, e.getMessage());
        }
        List<ScheduleResult> results = new ArrayList<>();
        for (Policy policy : chosen) {
            results.add(new ScheduleSimulator(cluster, jobs, policy).run());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format == OutputFormat.MD || format == OutputFormat.HTML) {
            String source = trace == null ? jobs.size() + " synthetic jobs at load " + load + " (seed " + seed + ")"
                    : jobs.size() + " jobs of a " + trace.format() + " trace (" + jobsFile.getFileName() + ")";
            out.print(DocumentWriter.write(ScheduleReport.of(cluster, source, results), format.id()));
        } else if (format == OutputFormat.JSON) {
            ObjectNode json = Json.mapper().createObjectNode();
            json.set("cluster", Json.mapper().valueToTree(cluster));
            json.set("cluster_notes", Json.mapper().valueToTree(clusterNotes));
            json.put("jobs", jobs.size());
            if (trace != null) {
                json.put("trace_format", trace.format()).put("skipped", trace.skipped());
                json.set("problems", Json.mapper().valueToTree(trace.problems()));
            }
            json.set("results", Json.mapper().valueToTree(results));
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } else {
            out.printf(Locale.ROOT, "%d jobs on %d nodes of %d GPUs (%d GPUs)%s%n", jobs.size(), cluster.nodes(),
                    cluster.gpusPerNode(), cluster.totalGpus(), trace == null ? ", synthetic at load " + load
                            : ", " + trace.format() + " trace: " + trace.skipped() + " jobs left out, "
                            + trace.problems().size() + " lines not read");
            clusterNotes.forEach(n -> out.println("cluster: " + n));
            out.printf("%-18s %10s %10s %10s %10s %10s %7s %8s %6s %8s %6s%n", "policy", "JCT mean", "JCT p50",
                    "JCT p99", "wait mean", "makespan", "alloc", "frag GPU", "Jain", "DS max/min", "stuck");
            for (ScheduleResult r : results) {
                out.printf(Locale.ROOT, "%-18s %10s %10s %10s %10s %10s %6.1f%% %8.1f %6.3f %8.2f %6d%n", r.policy(),
                        hours(r.jctMeanSeconds()), hours(r.jctP50Seconds()), hours(r.jctP99Seconds()),
                        hours(r.waitMeanSeconds()), hours(r.makespanSeconds()), r.gpuAllocation() * 100,
                        r.fragmentedGpus(), r.jainFairness(), r.dominantShareMaxOverMin(), r.neverStarted());
            }
            if (trace != null && !trace.problems().isEmpty()) {
                out.println();
                trace.problems().stream().limit(10).forEach(p -> out.println("not read: " + p));
            }
        }
        out.flush();
        return 0;
    }

    private static String hours(double seconds) {
        return String.format(Locale.ROOT, "%.2f h", seconds / 3600);
    }
}
