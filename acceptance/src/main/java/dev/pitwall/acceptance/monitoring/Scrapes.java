package dev.pitwall.acceptance.monitoring;

import dev.pitwall.core.metrics.PrometheusSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One round of exporter outputs, as collected into a folder: {@code <node>/<anything>.prom} for
 * each node's exporters (dcgm-exporter, node-exporter, an engine) and {@code cluster/<anything>.prom}
 * for the cluster's (kube-state-metrics, the scheduler), each the text an exporter's /metrics answers.
 */
public record Scrapes(Path folder, List<Scrape> files) {

    /** The folder cluster-wide scrapes are in. */
    public static final String CLUSTER = "cluster";

    /** One exporter output: whose node it is from ({@link #CLUSTER} for the cluster), and what it holds. */
    public record Scrape(Path file, String node, PrometheusSamples.Exposition exposition) {
        public boolean clusterWide() {
            return node.equals(CLUSTER);
        }
    }

    /** Reads every {@code .prom} and {@code .txt} file one folder down; throws when the folder holds none. */
    public static Scrapes read(Path folder) throws IOException {
        List<Scrape> files = new ArrayList<>();
        try (Stream<Path> nodes = Files.list(folder)) {
            for (Path node : nodes.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> inside = Files.list(node)) {
                    for (Path file : inside.filter(p -> p.toString().endsWith(".prom") || p.toString().endsWith(".txt"))
                            .sorted().toList()) {
                        files.add(new Scrape(file, node.getFileName().toString(),
                                PrometheusSamples.read(Files.readString(file))));
                    }
                }
            }
        }
        if (files.isEmpty()) {
            throw new IOException(folder + " holds no exporter output: put each node's in " + folder
                    + "/<node>/<exporter>.prom and the cluster's in " + folder + "/" + CLUSTER + "/<exporter>.prom");
        }
        return new Scrapes(folder, List.copyOf(files));
    }
}
