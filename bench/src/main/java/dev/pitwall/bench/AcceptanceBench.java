package dev.pitwall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pitwall.sim.cluster.AcceptanceOutputs;
import dev.pitwall.sim.cluster.AcceptanceOutputs.Fault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Acceptance-evaluation benchmark: a results folder of the asked number of nodes (four tool
 * outputs each, in the tools' own formats, from the simulator), three of them faulty, judged by
 * {@code pitwall check evaluate} as a user runs it (a fresh JVM), as JSON and as the HTML report.
 * Prints the wall time, files per second and peak RSS of each, and whether the faulty nodes were named.
 */
public final class AcceptanceBench {

    private AcceptanceBench() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int nodeCount = Integer.parseInt(args[1]);
        Path results = Path.of(args[2]);
        Map<String, Fault> faulty = new TreeMap<>(Map.of(node(nodeCount / 7), Fault.SLOW_NCCL,
                node(nodeCount / 2), Fault.FAULTY_GPU, node(nodeCount - 3), Fault.OTHER_DRIVER));
        List<AcceptanceOutputs.Node> nodes = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            nodes.add(new AcceptanceOutputs.Node(node(i), faulty.getOrDefault(node(i), Fault.NONE)));
        }
        AcceptanceOutputs.write(results, nodes, 42);
        long files;
        long bytes;
        try (Stream<Path> walk = Files.walk(results)) {
            List<Path> all = walk.filter(Files::isRegularFile).toList();
            files = all.size();
            bytes = 0;
            for (Path file : all) {
                bytes += Files.size(file);
            }
        }
        System.out.printf(Locale.ROOT, "%-30s %d nodes, %d files, %.1f MiB (%s)%n", "results folder", nodeCount, files,
                bytes / 1048576.0, results);
        System.out.printf(Locale.ROOT, "%-30s %s%n", "faults written", faulty);

        Run json = evaluate(jar, results, "json");
        JsonNode evaluation = new ObjectMapper().readTree(json.output());
        List<String> failed = new ArrayList<>();
        evaluation.path("nodes").properties().forEach(e -> {
            if (e.getValue().asText().equals("FAIL")) {
                failed.add(e.getKey());
            }
        });
        Run html = evaluate(jar, results, "html");
        print("check evaluate --format json", json, files);
        print("check evaluate --format html", html, files);
        System.out.printf(Locale.ROOT, "%-30s %s, failing nodes %s: %s%n", "verdict", evaluation.path("verdict").asText(),
                failed, failed.containsAll(faulty.keySet()) ? "every faulty node named" : "FAULTY NODES MISSED");
    }

    private record Run(double seconds, long peakKib, String output) {
    }

    private static Run evaluate(Path jar, Path results, String format) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path output = Files.createTempFile("acceptance-bench", "." + format);
        long started = System.nanoTime();
        Process process = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "check", "evaluate",
                results.toString(), "--format", format).redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long peakKib = PeakRss.await(process);
        double seconds = (System.nanoTime() - started) / 1e9;
        // Exit 1 is the verdict FAIL, which the faults ask for; 2 is a folder that could not be judged.
        if (process.exitValue() > 1) {
            throw new IllegalStateException("pitwall check evaluate exited " + process.exitValue());
        }
        String text = Files.readString(output);
        Files.delete(output);
        return new Run(seconds, peakKib, text);
    }

    private static void print(String what, Run run, long files) {
        System.out.printf(Locale.ROOT,
                "%-30s %.2f s wall including JVM start (%.0f files/s), peak RSS %.0f MiB, %.1f MiB out%n", what,
                run.seconds(), files / run.seconds(), run.peakKib() / 1024.0, run.output().length() / 1048576.0);
    }

    private static String node(int i) {
        return String.format(Locale.ROOT, "gpu-%04d", i);
    }
}
