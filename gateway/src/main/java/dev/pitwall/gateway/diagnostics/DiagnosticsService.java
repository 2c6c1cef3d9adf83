package dev.pitwall.gateway.diagnostics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.config.DurationText;
import dev.pitwall.core.http.ApiError;
import dev.pitwall.core.http.NoCache;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.auth.AdminAuthorization;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The process's diagnostics, behind the admin key: {@code GET /admin/api/slow-requests?window=5m}
 * lists the requests slowest in the gateway with their attributed causes;
 * {@code GET /admin/api/profile?seconds=30} records that long with Flight Recorder's profiling
 * settings and answers the recording (open it in JDK Mission Control, or {@code jfr print});
 * {@code GET /admin/api/heap} answers the class histogram of live objects (which costs a full GC).
 */
public final class DiagnosticsService {

    public static final String SLOW_REQUESTS = "/admin/api/slow-requests";
    public static final String PROFILE = "/admin/api/profile";
    public static final String HEAP = "/admin/api/heap";

    static final int MAX_PROFILE_SECONDS = 300;
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)(?:\\s+\\((.*)\\))?");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("Total\\s+(\\d+)\\s+(\\d+)");

    private final SlowRequests slow;
    private final AdminAuthorization authorize;
    private final AtomicBoolean profiling = new AtomicBoolean();

    public DiagnosticsService(SlowRequests slow, AdminAuthorization authorize) {
        this.slow = slow;
        this.authorize = authorize;
    }

    /** The three routes, by mount path. */
    public Map<String, HttpService> services() {
        Map<String, HttpService> out = new LinkedHashMap<>();
        out.put(SLOW_REQUESTS, rules -> rules.get("/", authorize, this::slowRequests));
        out.put(PROFILE, rules -> rules.get("/", authorize, this::profile));
        out.put(HEAP, rules -> rules.get("/", authorize, this::heap));
        return out;
    }

    private void slowRequests(ServerRequest req, ServerResponse res) {
        Optional<Duration> window = duration(req, "window", Duration.ofMinutes(5), res);
        Optional<Integer> limit = window.isEmpty() ? Optional.empty() : count(req, "limit", 20, 1, 500, res);
        if (limit.isEmpty()) {
            return;
        }
        ObjectNode out = Json.mapper().createObjectNode().put("window", DurationText.format(window.get()))
                .put("threshold_ms", millis(slow.threshold()));
        ArrayNode requests = out.putArray("requests");
        for (SlowRequests.Attributed a : slow.recent(window.get(), limit.get())) {
            requests.add(json(a));
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.header(NoCache.HEADER);
        res.send(out.toString());
    }

    /** A slow request as the API and the console show it. */
    public static ObjectNode json(SlowRequests.Attributed a) {
        SlowRequests.Slow s = a.request();
        ObjectNode out = Json.mapper().createObjectNode().put("at", s.start().toString()).put("model", s.model())
                .put("tenant", s.tenant()).put("backend", s.backend()).put("outcome", s.outcome())
                .put("duration_ms", millis(s.duration())).put("gateway_ms", millis(s.gatewayTime()))
                .put("backend_ms", millis(s.backendTime()));
        ArrayNode causes = out.putArray("causes");
        for (SlowRequests.Cause c : a.causes()) {
            causes.addObject().put("cause", c.cause()).put("ms", millis(c.overlap())).put("events", c.events())
                    .put("detail", c.detail());
        }
        return out.put("unattributed_ms", millis(a.unattributed()));
    }

    private void profile(ServerRequest req, ServerResponse res) throws IOException, InterruptedException {
        Optional<Integer> seconds = count(req, "seconds", 30, 1, MAX_PROFILE_SECONDS, res);
        if (seconds.isEmpty()) {
            return;
        }
        if (!profiling.compareAndSet(false, true)) {
            ApiError.of(Status.CONFLICT_409, "a profile is being recorded already: one at a time").send(res);
            return;
        }
        Path file = Files.createTempFile("pitwall-profile-", ".jfr");
        try {
            try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
                recording.setName("pitwall-profile");
                recording.start();
                Thread.sleep(Duration.ofSeconds(seconds.get()));
                recording.stop();
                recording.dump(file);
            } catch (ParseException e) {
                throw new IllegalStateException("the JDK's profile settings could not be read", e);
            }
            res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
            res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"pitwall-"
                    + Instant.now().toString().replace(':', '-') + ".jfr\"");
            res.contentLength(Files.size(file));
            try (OutputStream out = res.outputStream()) {
                Files.copy(file, out);
            }
        } finally {
            Files.deleteIfExists(file);
            profiling.set(false);
        }
    }

    private void heap(ServerRequest req, ServerResponse res) throws JMException {
        Optional<Integer> limit = count(req, "limit", 50, 1, 10_000, res);
        if (limit.isEmpty()) {
            return;
        }
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode classes = out.putArray("classes");
        for (String line : histogram.split("\n")) {
            Matcher row = HISTOGRAM_ROW.matcher(line);
            Matcher total = HISTOGRAM_TOTAL.matcher(line.strip());
            if (row.matches() && classes.size() < limit.get()) {
                ObjectNode c = classes.addObject().put("class", row.group(3)).put("instances", Long.parseLong(row.group(1)))
                        .put("bytes", Long.parseLong(row.group(2)));
                if (row.group(4) != null) {
                    c.put("module", row.group(4));
                }
            } else if (total.matches()) {
                out.put("total_instances", Long.parseLong(total.group(1))).put("total_bytes", Long.parseLong(total.group(2)));
            }
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.header(NoCache.HEADER);
        res.send(out.toString());
    }

    private static Optional<Duration> duration(ServerRequest req, String name, Duration otherwise, ServerResponse res) {
        Optional<String> text = req.query().first(name).asOptional();
        if (text.isEmpty()) {
            return Optional.of(otherwise);
        }
        try {
            Duration d = DurationText.parse(text.get());
            if (!d.isNegative() && !d.isZero() && d.compareTo(JvmEvents.KEEP) <= 0) {
                return Optional.of(d);
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        ApiError.ofParam(Status.BAD_REQUEST_400, name + " must be a duration from 1s to "
                + DurationText.format(JvmEvents.KEEP) + " (the events kept), such as 5m, not " + text.get(), name, null)
                .send(res);
        return Optional.empty();
    }

    private static Optional<Integer> count(ServerRequest req, String name, int otherwise, int min, int max,
                                           ServerResponse res) {
        Optional<String> text = req.query().first(name).asOptional();
        if (text.isEmpty()) {
            return Optional.of(otherwise);
        }
        try {
            int n = Integer.parseInt(text.get());
            if (n >= min && n <= max) {
                return Optional.of(n);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        ApiError.ofParam(Status.BAD_REQUEST_400, name + " must be a whole number from " + min + " to " + max + ", not "
                + text.get(), name, null).send(res);
        return Optional.empty();
    }

    private static double millis(Duration d) {
        return Math.round(d.toNanos() / 10_000.0) / 100.0;
    }
}
