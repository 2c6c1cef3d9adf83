package dev.pitwall.server.report;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finished training jobs, for comparing what jobs cost before and after a change. Read from a
 * CSV with a header {@code job,gpus,submitted,started,ended} (and optionally {@code tokens}, the
 * tokens the job trained on), or from Slurm's {@code sacct -X -P --format=JobID,Submit,Start,End,AllocTRES}
 * (the GPUs from AllocTRES's {@code gres/gpu=N}). Times are ISO-8601; those without an offset
 * (sacct's) are read as UTC. Jobs not finished (no end, "Unknown") are counted, not read; a row that
 * cannot be read is reported with its line, never guessed at.
 *
 * @param unfinished jobs without an end or a start yet
 * @param problems   "line N: what is wrong"
 */
public record JobRecords(Path file, List<Job> jobs, int unfinished, List<String> problems) {

    /** @param tokens the tokens it trained on, when the file says */
    public record Job(String id, int gpus, Instant submitted, Instant started, Instant ended, OptionalDouble tokens) {

        /** Submission to end: what the job's owner waited for. */
        public double endToEndHours() {
            return Duration.between(submitted, ended).toMillis() / 3_600_000.0;
        }

        public double gpuHours() {
            return gpus * Duration.between(started, ended).toMillis() / 3_600_000.0;
        }

        /** Tokens per second of running time, when the tokens are known and it ran. */
        public OptionalDouble tokensPerSecond() {
            long ms = Duration.between(started, ended).toMillis();
            return tokens.isPresent() && ms > 0 ? OptionalDouble.of(tokens.getAsDouble() * 1000 / ms) : OptionalDouble.empty();
        }
    }

    private static final Pattern GPUS_IN_TRES = Pattern.compile("gres/gpu(?::[^=,]+)?=(\\d+)");
    private static final List<String> NOT_YET = List.of("", "unknown", "none");

    /**
     * @throws IllegalArgumentException when the header has neither layout's columns
     */
    public static JobRecords read(Path file) throws IOException {
        String first;
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            first = lines.filter(l -> !l.isBlank()).findFirst().orElse("");
        }
        char separator = first.contains("|") ? '|' : ',';
        CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.TRIM_SPACES).enable(CsvParser.Feature.SKIP_EMPTY_LINES);
        CsvSchema schema = CsvSchema.emptySchema().withHeader().withColumnSeparator(separator);
        List<Job> jobs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int unfinished = 0;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<Map<String, String>> rows = mapper.readerForMapOf(String.class).with(schema).readValues(in)) {
            boolean sacct = false;
            boolean checked = false;
            while (rows.hasNextValue()) {
                long line = rows.getCurrentLocation().getLineNr();
                Map<String, String> raw = rows.nextValue();
                Map<String, String> row = new HashMap<>();
                raw.forEach((k, v) -> row.put(k.strip().toLowerCase(Locale.ROOT), v == null ? "" : v.strip()));
                if (!checked) {
                    sacct = row.containsKey("jobid") && row.containsKey("alloctres");
                    if (!sacct && !row.keySet().containsAll(List.of("job", "gpus", "submitted", "started", "ended"))) {
                        throw new IllegalArgumentException(file + ": the header needs job,gpus,submitted,started,ended "
                                + "(CSV) or JobID|Submit|Start|End|AllocTRES (sacct -P); it has " + raw.keySet());
                    }
                    checked = true;
                }
                String start = row.getOrDefault(sacct ? "start" : "started", "");
                String end = row.getOrDefault(sacct ? "end" : "ended", "");
                if (NOT_YET.contains(start.toLowerCase(Locale.ROOT)) || NOT_YET.contains(end.toLowerCase(Locale.ROOT))) {
                    unfinished++;
                    continue;
                }
                try {
                    String id = row.get(sacct ? "jobid" : "job");
                    int gpus = sacct ? gpusOf(row.get("alloctres")) : Integer.parseInt(row.get("gpus"));
                    Instant submitted = instant(row.get(sacct ? "submit" : "submitted"));
                    Instant started = instant(start);
                    Instant ended = instant(end);
                    if (gpus < 1) {
                        throw new IllegalArgumentException("the job has no GPU");
                    }
                    if (started.isBefore(submitted) || ended.isBefore(started)) {
                        throw new IllegalArgumentException("its times are out of order (submitted " + submitted
                                + ", started " + started + ", ended " + ended + ")");
                    }
                    String tokens = row.getOrDefault("tokens", "");
                    jobs.add(new Job(id, gpus, submitted, started, ended,
                            tokens.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(tokens))));
                } catch (IllegalArgumentException | DateTimeParseException e) {
                    problems.add("line " + line + ": " + e.getMessage());
                }
            }
        }
        return new JobRecords(file, jobs, unfinished, problems);
    }

    /** The GPUs Slurm allocated: {@code gres/gpu=8} or {@code gres/gpu:h100=8}; 0 when none. */
    static int gpusOf(String tres) {
        Matcher m = GPUS_IN_TRES.matcher(tres == null ? "" : tres);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException withoutOffset) {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
        }
    }
}
