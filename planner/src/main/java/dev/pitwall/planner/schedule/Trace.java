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
import java.util.List;
import java.util.Map;

/**
 * A job trace read from one of the public formats, with what could not be read: SenseTime
 * Helios' {@code cluster_log.csv} (job_id, user, vc, gpu_num, cpu_num, node_num, state,
 * submit_time, start_time, end_time, duration, queue) and Microsoft Philly's
 * {@code cluster_job_log} JSON (jobid, vc, user, submitted_time, attempts with start_time,
 * end_time and the GPUs of each machine). Jobs without GPUs are left out and counted; times
 * become seconds from the trace's first submission.
 *
 * @param format   which format the file was
 * @param problems each thing that could not be read, with its line (CSV) or job (JSON)
 * @param skipped  jobs read but left out: no GPU, or never ran
 */
public record Trace(String format, List<SimJob> jobs, List<String> problems, int skipped) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final List<String> HELIOS = List.of("job_id", "vc", "gpu_num", "cpu_num", "node_num",
            "submit_time", "duration");

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
        throw new IOException(file + ": not a trace Pitwall reads: a Helios cluster_log.csv has the columns "
                + String.join(", ", HELIOS) + "; a Philly cluster_job_log is a JSON array of jobs");
    }

    private static Trace helios(Path file, String text, List<String> columns) {
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
                int gpus = Integer.parseInt(f[at.get("gpu_num")]);
                int nodes = Math.max(1, Integer.parseInt(f[at.get("node_num")]));
                long duration = Long.parseLong(f[at.get("duration")]);
                if (gpus <= 0 || duration <= 0) {
                    skipped++;
                    continue;
                }
                int cpus = Integer.parseInt(f[at.get("cpu_num")]);
                long submit = LocalDateTime.parse(f[at.get("submit_time")], TIME).toEpochSecond(ZoneOffset.UTC);
                int perTask = (gpus + nodes - 1) / nodes;
                jobs.add(new SimJob(f[at.get("job_id")], f[at.get("vc")], submit, duration, nodes, perTask,
                        Math.max(0, cpus / nodes), 0));
            } catch (NumberFormatException | DateTimeParseException e) {
                problems.add(file.getFileName() + ":" + (n + 1) + ": " + e.getMessage());
            }
        }
        return new Trace("helios", fromFirst(jobs), List.copyOf(problems), skipped);
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
