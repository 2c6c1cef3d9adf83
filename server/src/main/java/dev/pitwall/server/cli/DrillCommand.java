package dev.pitwall.server.cli;

import dev.pitwall.core.json.Json;
import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.trainops.drill.DrillReport;
import dev.pitwall.trainops.drill.DrillResult;
import dev.pitwall.trainops.drill.DrillService;
import dev.pitwall.trainops.drill.FaultDrill;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "drill", description = "Fault drills: perform a fault on a training job and measure what Pitwall saw.",
        mixinStandardHelpOptions = true)
final class DrillCommand extends CommandGroup {

    DrillCommand() {
        super(List.of(Run.class));
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Perform a fault (--inject: a command such as kubectl delete pod …, kill -STOP over ssh, "
                    + "ip link set … down; or --inject-url: a URL to POST to, as the demo's simulated cluster takes) and "
                    + "measure from a running Pitwall's own signals the time to detect (its incident) and to recover "
                    + "(the job's next step), and about how many steps were lost; pass or fail against the targets.",
                "Scenarios the demo's simulated cluster performs: kill-rank, hang-rank, nic-down, node-not-ready, "
                    + "disk-full. Exit 0 when the drill passes, 1 when it fails, 2 when it cannot be run."})
    static final class Run implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--scenario", paramLabel = "NAME", required = true, description = "What the fault is, for the report.")
        String scenario;

        @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
                description = "The Pitwall server watching the job (default: ${DEFAULT-VALUE}).")
        URI server;

        @Option(names = "--inject", paramLabel = "COMMAND", description = "The command that performs the fault (run with sh -c).")
        String inject;

        @Option(names = "--inject-url", paramLabel = "URL", description = "A URL to POST to that performs the fault.")
        URI injectUrl;

        @Option(names = "--detect-within", paramLabel = "DURATION", defaultValue = "15m",
                description = "The longest the fault may go without an incident (default: ${DEFAULT-VALUE}; NCCL's own "
                        + "watchdog waits 10 min by default).")
        Duration detectWithin;

        @Option(names = "--recover-within", paramLabel = "DURATION", defaultValue = "30m",
                description = "The longest from the fault to the job's next step (default: ${DEFAULT-VALUE}).")
        Duration recoverWithin;

        @Option(names = "--timeout", paramLabel = "DURATION",
                description = "How long to wait in all (default: the recovery target and a half).")
        Duration timeout;

        @Option(names = "--poll", paramLabel = "DURATION", defaultValue = "2s",
                description = "How often Pitwall's API is read (default: ${DEFAULT-VALUE}).")
        Duration poll;

        @Option(names = "--expect-rule", paramLabel = "RULE", split = ",",
                description = "The detection rules whose signals show this fault (default: the scenario's own for the "
                        + "built-in scenarios, else any signal).")
        List<String> rules;

        @Option(names = "--keep", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Store the result on the server, for its Reports page (default: on; --no-keep to not).")
        boolean keep;

        @Option(names = "--format", paramLabel = "text|md|html|json", defaultValue = "text", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws IOException {
            if ((inject == null) == (injectUrl == null)) {
                return PitwallCommand.usageError(spec, "give the fault as --inject COMMAND or --inject-url URL (one of them)");
            }
            Duration wait = timeout != null ? timeout : recoverWithin.plus(recoverWithin.dividedBy(2));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            List<String> expected = rules != null ? rules : FaultDrill.RULES.getOrDefault(scenario, List.of());
            FaultDrill drill = new FaultDrill(new FaultDrill.Settings(scenario, server, detectWithin, recoverWithin, wait,
                    poll, expected), http, Clock.systemUTC());
            FaultDrill.Report report;
            try {
                report = drill.run(inject != null ? () -> command(inject) : () -> post(http, injectUrl));
            } catch (IOException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return PitwallCommand.EXIT_FAILED;
            }
            DrillResult result = DrillResult.of(report);
            PrintWriter out = spec.commandLine().getOut();
            out.print(format == OutputFormat.JSON
                    ? Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n"
                    : DocumentWriter.write(DrillReport.document(result), format.id()));
            out.flush();
            if (keep) {
                keep(http, result);
            }
            return report.passed() ? 0 : CheckCommand.Evaluate.EXIT_FAIL;
        }

        /** Posts the result to the server that measured it, for its Reports page; says on stderr where it went. */
        private void keep(HttpClient http, DrillResult result) {
            PrintWriter err = spec.commandLine().getErr();
            URI drills = server.resolve(DrillService.PATH);
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(drills)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(result)))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 201) {
                    long id = Json.mapper().readTree(answer.body()).path("id").asLong();
                    err.println("stored as drill " + id + ": " + server.resolve(DrillService.PATH + "/" + id + "/report"));
                } else {
                    err.println("not stored: POST " + drills + " answered " + answer.statusCode() + ": " + answer.body());
                }
            } catch (IOException e) {
                err.println("not stored: POST " + drills + " failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            err.flush();
        }

        /** Runs the fault's command; its output, or an error when it fails. */
        private static String command(String command) throws IOException, InterruptedException {
            Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("the fault's command did not end within 2 min: " + command);
            }
            String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IOException("the fault's command failed (exit " + process.exitValue() + "): " + command
                        + (said.isBlank() ? "" : ": " + said.strip()));
            }
            return said;
        }

        static String post(HttpClient http, URI url) throws IOException, InterruptedException {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 != 2) {
                throw new IOException("POST " + url + " answered " + answer.statusCode() + ": " + answer.body());
            }
            return answer.body();
        }
    }
}
