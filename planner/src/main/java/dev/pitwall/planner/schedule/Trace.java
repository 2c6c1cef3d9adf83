package dev.pitwall.planner.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A job trace read from one of the public formats, with what could not be read: SenseTime
 * Helios' {@code cluster_log.csv} (job_id, user, vc, gpu_num, cpu_num, node_num, state,
 * submit_time, start_time, end_time, duration, queue); Microsoft Philly's
 * {@code cluster_job_log} JSON (jobid, vc, user, submitted_time, attempts with start_time,
 * end_time and the GPUs of each machine); Alibaba's cluster-trace-gpu-v2023 pod list
 * ({@code openb_pod_list*.csv}: name, cpu_milli, memory_mib, num_gpu, gpu_milli, gpu_spec, qos,
 * pod_phase, creation_time, deletion_time, scheduled_time) and cluster-trace-gpu-v2020 task table
 * ({@code pai_task_table.csv}, no header: job_name, task_name, inst_num, status, start_time,
 * end_time, plan_cpu, plan_mem, plan_gpu, gpu_type; a job's instances are its gang, plan_gpu in
 * hundredths of a GPU, a share of one counted as a whole GPU). Jobs without GPUs are left out
 * and counted; times become seconds from the trace's first submission.
 *
 * @param format   which format the file was
 * @param problems each thing that could not be read, with its line (CSV) or job (JSON)
 * @param skipped  jobs read but left out: no GPU, or never ran
 */
public record Trace(String format, List<SimJob> jobs, List<String> problems, int skipped) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final List<String> HELIOS = List.of("job_id", "vc", "gpu_num", "cpu_num", "node_num",
            "submit_time", "duration");
    private static final List<String> ALIBABA_PODS = List.of("name", "cpu_milli", "memory_mib", "num_gpu", "qos",
            "creation_time", "deletion_time", "scheduled_time");
    private static final int ALIBABA_TASK_COLUMNS = 10;

    /** Reads {@code file}, its format known by its content; throws naming the file when it is neither. */
    public static Trace read(Path file) throws IOException {
        String text = Files.readString(file);
        String start = text.stripLeading();
        if (start.startsWith("[") || start.startsWith("{")) {
            return philly(file, text);
        }
        String header = text.lines().findFirst().orElse("");
        List<String> columns = Arrays.asList(header.strip().split(","));
        if (columns.containsAll(HELIOS)) {
            return helios(file, text, columns);
        }
        if (columns.containsAll(ALIBABA_PODS)) {
            return alibabaPods(file, text, columns);
        }
        if (columns.size() == ALIBABA_TASK_COLUMNS && columns.get(4).strip().matches("\\d+(\\.\\d+)?")) {
            return alibabaTasks(file, text);
        }
        throw new IOException(file + ": not a trace Pitwall reads: a Helios cluster_log.csv has the columns "
                + String.join(", ", HELIOS) + "; an Alibaba v2023 pod list " + String.join(", ", ALIBABA_PODS)
                + "; an Alibaba v2020 pai_task_table.csv ten columns and no header; a Philly cluster_job_log is a "
                + "JSON array of jobs");
    }

    /** One data row of a trace with a header: its job, or empty when it is left out (no GPU, never ran). */
    private interface Row {
        Optional<SimJob> read(String[] f, Map<String, Integer> at);
    }

    private static Trace helios(Path file, String text, List<String> columns) {
        return headed("helios", file, text, columns, (f, at) -> {
            int gpus = Integer.parseInt(f[at.get("gpu_num")]);
            int nodes = Math.max(1, Integer.parseInt(f[at.get("node_num")]));
            long duration = Long.parseLong(f[at.get("duration")]);
            if (gpus <= 0 || duration <= 0) {
                return Optional.empty();
            }
            int cpus = Integer.parseInt(f[at.get("cpu_num")]);
            long submit = LocalDateTime.parse(f[at.get("submit_time")], TIME).toEpochSecond(ZoneOffset.UTC);
            return Optional.of(new SimJob(f[at.get("job_id")], f[at.get("vc")], submit, duration, nodes,
                    (gpus + nodes - 1) / nodes, Math.max(0, cpus / nodes), 0));
        });
    }

    private static Trace alibabaPods(Path file, String text, List<String> columns) {
        return headed("alibaba-v2023", file, text, columns, (f, at) -> {
            int gpus = Integer.parseInt(f[at.get("num_gpu")]);
            String scheduled = f[at.get("scheduled_time")];
            String deleted = f[at.get("deletion_time")];
            if (gpus <= 0 || scheduled.isEmpty() || deleted.isEmpty()) {
                return Optional.empty();
            }
            long duration = Long.parseLong(deleted) - Long.parseLong(scheduled);
            if (duration <= 0) {
                return Optional.empty();
            }
            return Optional.of(new SimJob(f[at.get("name")], f[at.get("qos")], Long.parseLong(f[at.get("creation_time")]),
                    duration, 1, gpus, (int) Math.ceil(Long.parseLong(f[at.get("cpu_milli")]) / 1000.0),
                    (int) Math.ceil(Long.parseLong(f[at.get("memory_mib")]) / 1024.0)));
        });
    }

    /** Reads a CSV trace with a header row, each row through {@code row}; what cannot be read is a problem with its line. */
    private static Trace headed(String format, Path file, String text, List<String> columns, Row row) {
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            at.put(columns.get(i), i);
        }
        List<String> problems = new ArrayList<>();
        List<SimJob> jobs = new ArrayList<>();
        int skipped = 0;
        String[] lines = text.split("\n");
        for (int n = 1; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length < columns.size()) {
                problems.add(file.getFileName() + ":" + (n + 1) + ": " + f.length + " fields, expected " + columns.size());
                continue;
            }
            try {
                Optional<SimJob> job = row.read(f, at);
                if (job.isPresent()) {
                    jobs.add(job.get());
                } else {
                    skipped++;
                }
            } catch (NumberFormatException | DateTimeParseException e) {
                problems.add(file.getFileName() + ":" + (n + 1) + ": " + e.getMessage());
            }
        }
        return new Trace(format, fromFirst(jobs), List.copyOf(problems), skipped);
    }

    private static Trace alibabaTasks(Path file, String text) {
        List<String> problems = new ArrayList<>();
        Map<String, long[]> jobs = new LinkedHashMap<>(); // job → {start, end, instances, gpus/inst, cpus, mem}
        int skipped = 0;
        String[] lines = text.split("\n");
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != ALIBABA_TASK_COLUMNS) {
                problems.add(file.getFileName() + ":" + (n + 1) + ": " + f.length + " fields, expected "
                        + ALIBABA_TASK_COLUMNS);
                continue;
            }
            try {
                double planGpu = f[8].isEmpty() ? 0 : Double.parseDouble(f[8]);
                if (planGpu <= 0 || f[4].isEmpty() || f[5].isEmpty()) {
                    skipped++;
                    continue;
                }
                long start = (long) Double.parseDouble(f[4]);
                long end = (long) Double.parseDouble(f[5]);
                int instances = (int) Double.parseDouble(f[2]);
                int gpus = (int) Math.ceil(planGpu / 100);
                int cpus = f[6].isEmpty() ? 0 : (int) Math.ceil(Double.parseDouble(f[6]) / 100);
                int mem = f[7].isEmpty() ? 0 : (int) Math.ceil(Double.parseDouble(f[7]));
                long[] job = jobs.computeIfAbsent(f[0], k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0, 0, 0, 0});
                job[0] = Math.min(job[0], start);
                job[1] = Math.max(job[1], end);
                job[2] += instances;
                job[3] = Math.max(job[3], gpus);
                job[4] = Math.max(job[4], cpus);
                job[5] = Math.max(job[5], mem);
            } catch (NumberFormatException e) {
                problems.add(file.getFileName() + ":" + (n + 1) + ": " + e.getMessage());
            }
        }
        List<SimJob> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : jobs.entrySet()) {
            long[] j = e.getValue();
            if (j[1] <= j[0] || j[2] < 1) {
                skipped++;
                continue;
            }
            out.add(new SimJob(e.getKey(), "default", j[0], j[1] - j[0], (int) j[2], (int) j[3], (int) j[4], (int) j[5]));
        }
        return new Trace("alibaba-v2020", fromFirst(out), List.copyOf(problems), skipped);
    }

    private static Trace philly(Path file, String text) throws IOException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new IOException(file + ": not JSON: " + e.getMessage(), e);
        }
        if (!root.isArray()) {
            throw new IOException(file + ": a Philly cluster_job_log is a JSON array of jobs, this is a "
                    + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        List<String> problems = new ArrayList<>();
        List<SimJob> jobs = new ArrayList<>();
        int skipped = 0;
        for (JsonNode job : root) {
            String id = job.path("jobid").asText("?");
            JsonNode attempts = job.path("attempts");
            try {
                long submit = LocalDateTime.parse(job.path("submitted_time").asText(), TIME).toEpochSecond(ZoneOffset.UTC);
                if (attempts.isEmpty() || attempts.get(0).path("start_time").isNull()) {
                    skipped++;
                    continue;
                }
                JsonNode first = attempts.get(0);
                JsonNode last = attempts.get(attempts.size() - 1);
                long begin = LocalDateTime.parse(first.path("start_time").asText(), TIME).toEpochSecond(ZoneOffset.UTC);
                long finish = LocalDateTime.parse(last.path("end_time").asText(), TIME).toEpochSecond(ZoneOffset.UTC);
                JsonNode machines = first.path("detail");
                int gpus = 0;
                for (JsonNode machine : machines) {
                    gpus += machine.path("gpus").size();
                }
                int nodes = Math.max(1, machines.size());
                if (gpus == 0 || finish <= begin) {
                    skipped++;
                    continue;
                }
                jobs.add(new SimJob(id, job.path("vc").asText("default"), submit, finish - begin, nodes,
                        (gpus + nodes - 1) / nodes, 0, 0));
            } catch (DateTimeParseException e) {
                problems.add("job " + id + ": " + e.getMessage());
            }
        }
        return new Trace("philly", fromFirst(jobs), List.copyOf(problems), skipped);
    }

    /** The same jobs with submission times counted from the first. */
    private static List<SimJob> fromFirst(List<SimJob> jobs) {
        long first = jobs.stream().mapToLong(SimJob::submitSeconds).min().orElse(0);
        return jobs.stream().map(j -> new SimJob(j.id(), j.queue(), j.submitSeconds() - first, j.durationSeconds(),
                j.tasks(), j.gpusPerTask(), j.cpusPerTask(), j.memoryGbPerTask())).toList();
    }
}
