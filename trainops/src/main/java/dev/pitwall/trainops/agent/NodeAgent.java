package dev.pitwall.trainops.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on a GPU node: follows the kernel log (a file, {@code journalctl -k -f}, or
 * {@code /dev/kmsg}) and job log files (globs, new files picked up as they appear), pushes its
 * dcgm-exporter's metrics every 15 s and its {@code nvidia-smi -q -x} inventory every hour, stamps each
 * line with its node, source and the time it was read, spools it to disk, and sends the spool to
 * the server's {@code /api/ingest/logs} in order. While the server is away the spool grows; when
 * it answers again the backlog goes first. Nothing is lost across server or agent restarts.
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
    private static final int BATCH_BYTES = 512 * 1024;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /**
     * @param kernelLog a file to follow, "journal" for journalctl, "kmsg" for /dev/kmsg, or null for none
     * @param jobLogs   globs of job log files ("/var/log/jobs/*.log")
     * @param dcgm      the node's dcgm-exporter ({@code http://127.0.0.1:9400/metrics}), or null for none
     * @param inventory the command that prints the GPU inventory ({@code nvidia-smi -q -x}), or null for none
     */
    public record Settings(URI server, String node, String kernelLog, List<String> jobLogs, Path spoolDir, URI dcgm,
                           List<String> inventory) {
    }

    /** The inventory changes rarely: read at start and every hour. */
    private static final Duration INVENTORY_EVERY = Duration.ofHours(1);
    private Instant nextInventory = Instant.MIN;

    /** GPU metrics are current state, not history: pushed every 15 s, not spooled while the server is away. */
    private static final Duration METRICS_EVERY = Duration.ofSeconds(15);
    /** How often a server that stays away is mentioned again. */
    private static final Duration UNREACHABLE_EVERY = Duration.ofMinutes(1);
    private Instant nextMetrics = Instant.MIN;

    private final Settings settings;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Spool spool;
    private final Map<Path, FileFollower> followers = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<String> streamed = new ConcurrentLinkedQueue<>();
    private Process kernelProcess;
    private Duration backoff = Duration.ZERO;
    private Instant nextAttempt = Instant.MIN;
    private long sent;
    /** Since when the server has not answered, or null while it does; and when that was last said. */
    private Instant unreachableSince;
    private Instant unreachableSaid;

    public NodeAgent(Settings settings, Clock clock) throws IOException {
        this.settings = settings;
        this.clock = clock;
        this.spool = new Spool(settings.spoolDir());
        if (settings.kernelLog() != null) {
            switch (settings.kernelLog()) {
                case "journal" -> stream(new ProcessBuilder("journalctl", "-k", "-f", "-o", "short-iso", "--since", "now"));
                case "kmsg" -> streamKmsg();
                default -> followers.put(Path.of(settings.kernelLog()),
                        new FileFollower(Path.of(settings.kernelLog()), "kernel", true));
            }
        }
        discoverJobLogs(true);
    }

    /** Lines sent and confirmed by the server since the agent started. */
    public long sent() {
        return sent;
    }

    /**
     * One round: reads what the logs gained, spools it, and sends the spool unless the server
     * failed recently (then it waits, doubling up to 30 s).
     *
     * @return true when the spool is empty after the round
     */
    public boolean step() throws IOException {
        discoverJobLogs(false);
        List<String> records = new ArrayList<>();
        String now = clock.instant().toString();
        for (FileFollower follower : followers.values()) {
            for (String line : follower.poll()) {
                records.add(record(follower.source(), now, line));
            }
        }
        for (String line = streamed.poll(); line != null; line = streamed.poll()) {
            records.add(record("kernel", now, line));
        }
        spool.append(records);
        pushMetrics();
        pushInventory();
        if (clock.instant().isBefore(nextAttempt)) {
            return spool.pendingBytes() == 0;
        }
        while (spool.pendingBytes() > 0) {
            Spool.Batch batch = spool.next(BATCH_BYTES);
            if (!send(batch.records())) {
                backoff = backoff.isZero() ? Duration.ofSeconds(1) : min(backoff.multipliedBy(2), MAX_BACKOFF);
                nextAttempt = clock.instant().plus(backoff);
                return false;
            }
            spool.confirm(batch.end());
            sent += batch.records().size();
            if (unreachableSince != null) {
                LOG.info("server {} answers again (away since {}); sending what was spooled", settings.server(),
                        unreachableSince);
                unreachableSince = null;
            }
            backoff = Duration.ZERO;
            nextAttempt = Instant.MIN;
        }
        return true;
    }

    private void pushMetrics() {
        if (settings.dcgm() == null || clock.instant().isBefore(nextMetrics)) {
            return;
        }
        nextMetrics = clock.instant().plus(METRICS_EVERY);
        try {
            HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(settings.dcgm()).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (scraped.statusCode() != 200) {
                LOG.warn("dcgm-exporter at {} answered {}", settings.dcgm(), scraped.statusCode());
                return;
            }
            URI target = settings.server().resolve("/api/ingest/metrics?node="
                    + URLEncoder.encode(settings.node(), StandardCharsets.UTF_8));
            http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10)).header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString(scraped.body())).build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            LOG.debug("GPU metrics not pushed this round: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pushInventory() {
        if (settings.inventory() == null || clock.instant().isBefore(nextInventory)) {
            return;
        }
        nextInventory = clock.instant().plus(INVENTORY_EVERY);
        try {
            Process command = new ProcessBuilder(settings.inventory()).redirectErrorStream(false).start();
            String xml = new String(command.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!command.waitFor(30, TimeUnit.SECONDS) || command.exitValue() != 0) {
                LOG.warn("{} failed (exit {}); no inventory this hour", String.join(" ", settings.inventory()),
                        command.isAlive() ? "none, still running" : command.exitValue());
                command.destroy();
                return;
            }
            URI target = settings.server().resolve("/api/ingest/inventory?node="
                    + URLEncoder.encode(settings.node(), StandardCharsets.UTF_8));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/xml").POST(HttpRequest.BodyPublishers.ofString(xml)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                LOG.warn("server refused the inventory: {}", response.body());
            }
        } catch (IOException e) {
            // No nvidia-smi here, or the server is away: tried again in an hour.
            LOG.debug("inventory not pushed: {}", e.toString());
            nextInventory = clock.instant().plus(METRICS_EVERY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** That the server is away and how much waits for it: when it goes, then at most once a minute. */
    private void sayUnreachable() {
        Instant now = clock.instant();
        if (unreachableSince == null) {
            unreachableSince = now;
        } else if (now.isBefore(unreachableSaid.plus(UNREACHABLE_EVERY))) {
            return;
        }
        unreachableSaid = now;
        String spooled;
        try {
            spooled = bytes(spool.pendingBytes());
        } catch (IOException e) {
            spooled = "an unknown amount";
        }
        LOG.warn("server {} does not answer (since {}): {} of log lines spooled in {}, sent when it is back",
                settings.server(), unreachableSince, spooled, settings.spoolDir());
    }

    private static String bytes(long count) {
        return count < 1024 ? count + " B" : count < 1 << 20 ? String.format(Locale.ROOT, "%.1f KiB", count / 1024.0)
                : String.format(Locale.ROOT, "%.1f MiB", count / (double) (1 << 20));
    }

    private boolean send(List<String> records) {
        String body = String.join("\n", records) + "\n";
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(settings.server().resolve("/api/ingest/logs"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                return true;
            }
            // 4xx will not get better by retrying the same batch, but dropping it would lose lines: keep it and say so.
            LOG.warn("server answered {} to a batch of {} lines; kept in the spool: {}", response.statusCode(),
                    records.size(), response.body());
            return false;
        } catch (IOException e) {
            LOG.debug("server unreachable, spooling: {}", e.toString());
            sayUnreachable();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String record(String source, String time, String line) {
        ObjectNode record = Json.mapper().createObjectNode();
        record.put("node", settings.node());
        record.put("source", source);
        record.put("time", time);
        record.put("line", line);
        return record.toString();
    }

    /** Job logs: a file matching a glob becomes followed; files there at start are read from their end. */
    private void discoverJobLogs(boolean atStart) throws IOException {
        for (String glob : settings.jobLogs()) {
            Path plain = Path.of(glob);
            if (!glob.matches(".*[*?\\[{].*")) {
                // A plain path, not a pattern: followed once it exists.
                if (Files.isRegularFile(plain) && !followers.containsKey(plain)) {
                    followers.put(plain, new FileFollower(plain, "job:" + plain.getFileName(), atStart));
                }
                continue;
            }
            Path base = globBase(glob);
            if (!Files.isDirectory(base)) {
                continue;
            }
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            try (Stream<Path> files = Files.walk(base, 8)) {
                for (Path file : files.filter(Files::isRegularFile).filter(matcher::matches).toList()) {
                    if (!followers.containsKey(file)) {
                        followers.put(file, new FileFollower(file, "job:" + file.getFileName(), atStart));
                    }
                }
            }
        }
    }

    /** The folder a glob starts in: its path up to the first part with a wildcard. */
    static Path globBase(String glob) {
        Path base = Path.of(glob).isAbsolute() ? Path.of("/") : Path.of("");
        for (Path part : Path.of(glob)) {
            if (part.toString().matches(".*[*?\\[{].*")) {
                break;
            }
            base = base.resolve(part);
        }
        return base.toString().isEmpty() ? Path.of(".") : base;
    }

    private void stream(ProcessBuilder command) throws IOException {
        kernelProcess = command.redirectErrorStream(true).start();
        Thread.ofVirtual().name("kernel-log").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(kernelProcess.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    streamed.add(line);
                }
            } catch (IOException e) {
                LOG.warn("kernel log stream ended: {}", e.toString());
            }
        });
    }

    /**
     * /dev/kmsg records are "priority,sequence,microseconds since boot,flags;message". Reading starts
     * at the oldest record the kernel keeps; those older than the agent's start were sent before or
     * are history, and are skipped.
     */
    private void streamKmsg() throws IOException {
        long startMicros = (long) (Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]) * 1e6);
        Thread.ofVirtual().name("kmsg").start(() -> {
            try (BufferedReader in = Files.newBufferedReader(Path.of("/dev/kmsg"), StandardCharsets.UTF_8)) {
                for (String record = in.readLine(); record != null; record = in.readLine()) {
                    int semicolon = record.indexOf(';');
                    String[] header = semicolon > 0 ? record.substring(0, semicolon).split(",") : new String[0];
                    if (header.length >= 3 && header[2].matches("[0-9]+") && Long.parseLong(header[2]) >= startMicros) {
                        streamed.add(record.substring(semicolon + 1));
                    }
                }
            } catch (IOException e) {
                LOG.warn("cannot read /dev/kmsg ({}); run the agent as root or use --kernel-log journal", e.toString());
            }
        });
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() throws IOException {
        if (kernelProcess != null) {
            kernelProcess.destroy();
        }
        spool.close();
    }
}
