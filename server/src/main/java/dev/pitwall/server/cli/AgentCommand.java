package dev.pitwall.server.cli;

import dev.pitwall.trainops.agent.NodeAgent;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "agent",
        description = "Run on a GPU node: follow the kernel log and job logs and ship them to a Pitwall server, "
                + "spooling to disk while it is away.",
        mixinStandardHelpOptions = true)
final class AgentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "The Pitwall server, e.g. http://pitwall:8080.")
    URI server;

    @Option(names = "--node", paramLabel = "NAME", description = "This node's name (default: the host name).")
    String node;

    @Option(names = "--kernel-log", paramLabel = "journal|kmsg|FILE", defaultValue = "journal",
            description = "Where the kernel log comes from: journalctl -k -f, /dev/kmsg, or a file to follow "
                    + "(default: ${DEFAULT-VALUE}); none to skip it.")
    String kernelLog;

    @Option(names = "--job-log", paramLabel = "GLOB", description = "Job log files to follow, e.g. '/var/log/jobs/*.log' (repeatable).")
    List<String> jobLogs = List.of();

    @Option(names = "--dcgm", paramLabel = "URL",
            description = "This node's dcgm-exporter, e.g. http://127.0.0.1:9400/metrics: its metrics are pushed every 15 s.")
    URI dcgm;

    @Option(names = "--inventory", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Push nvidia-smi -q -x every hour (default: on; --no-inventory where there is no nvidia-smi).")
    boolean inventory;

    @Option(names = "--spool", paramLabel = "DIR", defaultValue = "pitwall-agent-spool",
            description = "Where lines wait while the server is away (default: ${DEFAULT-VALUE}).")
    Path spool;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
            description = "How often logs are read and sent: 500ms, 1s, 5m (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String name = node != null ? node : hostName();
        NodeAgent agent;
        try {
            agent = new NodeAgent(new NodeAgent.Settings(server, name, kernelLog.equals("none") ? null : kernelLog, jobLogs,
                    spool, dcgm, inventory ? List.of("nvidia-smi", "-q", "-x") : null), Clock.systemUTC());
        } catch (IOException e) {
            return PitwallCommand.usageError(spec, e.getMessage());
        }
        out.println("Pitwall agent on " + name + " shipping to " + server + " (kernel log: " + kernelLog + ", job logs: "
                + (jobLogs.isEmpty() ? "none" : String.join(", ", jobLogs)) + ", spool: " + spool.toAbsolutePath() + ")");
        out.println("Press Ctrl-C to stop.");
        out.flush();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread loop = Thread.ofPlatform().name("agent").start(() -> {
            while (running.get()) {
                try {
                    agent.step();
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    spec.commandLine().getErr().println("pitwall agent: " + e.getMessage());
                }
            }
        });
        Runner.awaitShutdown(() -> {
            running.set(false);
            loop.interrupt();
            try {
                loop.join(Duration.ofSeconds(5));
                agent.step(); // what was read last goes to the spool at least
                agent.close();
            } catch (IOException | InterruptedException e) {
                // stopping: the spool holds what was not sent
            }
        });
        return 0;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return System.getenv().getOrDefault("HOSTNAME", "unknown-node");
        }
    }
}
