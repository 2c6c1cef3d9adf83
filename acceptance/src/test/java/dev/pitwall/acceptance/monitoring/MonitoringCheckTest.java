package dev.pitwall.acceptance.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring check on exporter outputs in their real text formats: a complete cluster (two
 * H100 nodes of two GPUs, dcgm-exporter, node-exporter, kube-state-metrics, Kueue, vLLM) passes
 * with nothing to say; removing any one catalog item is reported as that item, and nothing else;
 * each way monitoring goes wrong is found.
 */
class MonitoringCheckTest {

    private static final MonitoringCatalog CATALOG = MonitoringCatalog.builtIn();

    @TempDir
    Path work;

    @Test
    void aCompleteClusterPassesWithNothingToSay() throws Exception {
        MonitoringCheck.Result result = check(complete());
        assertThat(result.findings()).isEmpty();
        assertThat(result.verdict()).isEqualTo(Verdict.PASS);
        assertThat(result.nodes()).containsExactly("gpu-a01", "gpu-a02");
        assertThat(result.coverage()).filteredOn(MonitoringCheck.Coverage::present)
                .allMatch(c -> c.found() == c.expected())
                .extracting(MonitoringCheck.Coverage::family)
                .containsExactlyInAnyOrder("dcgm-exporter", "node-exporter", "kube-state-metrics", "kueue", "vllm");
    }

    @Test
    void removingAnyOneCatalogItemIsReportedAsThatItemAndNothingElse() throws Exception {
        Path complete = complete();
        int removed = 0;
        for (MonitoringCatalog.Family family : CATALOG.families()) {
            if (family.name().equals("volcano")) {
                continue; // the fixture's scheduler is Kueue
            }
            for (MonitoringCatalog.Item item : family.items()) {
                Path without = copy(complete, "without-" + item.metric().replace(':', '_'));
                removeMetric(without, item.metric());
                MonitoringCheck.Result result = check(without);
                assertThat(result.findings()).as("without %s", item.metric()).isNotEmpty()
                        .allSatisfy(f -> {
                            assertThat(f.check()).isEqualTo("monitoring.missing");
                            assertThat(f.expected()).isEqualTo(item.metric());
                            assertThat(f.verdict()).isEqualTo(item.optional() ? Verdict.WARN : Verdict.FAIL);
                        });
                if (item.enable() != null) {
                    assertThat(result.findings().getFirst().detail()).contains(item.enable());
                }
                removed++;
            }
        }
        assertThat(removed).isGreaterThanOrEqualTo(55);
    }

    @Test
    void aFieldOnlyOneGpuLacksIsNamedWithThatGpuAndTheCountersFileLineThatEnablesIt() throws Exception {
        Path cluster = copy(complete(), "one-gpu");
        removeLines(cluster.resolve("gpu-a02/dcgm-exporter.prom"), "DCGM_FI_PROF_SM_ACTIVE{gpu=\"1\"");
        List<Finding> findings = check(cluster).findings();
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.node()).isEqualTo("gpu-a02");
            assertThat(f.value()).isEqualTo("absent on GPU 1");
            assertThat(f.detail()).contains("DCGM_FI_PROF_SM_ACTIVE, gauge, The ratio of cycles an SM has at least 1 warp");
        });
    }

    @Test
    void dcgmsNotSupportedSentinelIsReadAsMissingNotAsAReading() throws Exception {
        Path cluster = copy(complete(), "sentinel");
        replaceValue(cluster.resolve("gpu-a01/dcgm-exporter.prom"), "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu=\"0\"",
                "9223372036854775794");
        assertThat(check(cluster).findings()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("monitoring.not_supported");
            assertThat(f.node()).isEqualTo("gpu-a01");
            assertThat(f.expected()).isEqualTo("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL");
        });
    }

    @Test
    void aNodeTheInventoryListsButNoExporterReportsOnIsFound() throws Exception {
        Path cluster = copy(complete(), "silent-node");
        Path ksm = cluster.resolve("cluster/kube-state-metrics.prom");
        Files.writeString(ksm, Files.readString(ksm)
                + "kube_node_info{node=\"gpu-a03\",kernel_version=\"5.15.0-105-generic\"} 1\n"
                + "kube_node_status_capacity{node=\"gpu-a03\",resource=\"nvidia_com_gpu\",unit=\"integer\"} 2\n");
        List<Finding> findings = check(cluster).findings();
        assertThat(findings).filteredOn(f -> f.check().equals("monitoring.node_missing"))
                .extracting(Finding::node, Finding::expected)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("gpu-a03", "dcgm-exporter"),
                        org.assertj.core.groups.Tuple.tuple("gpu-a03", "node-exporter"));
        assertThat(findings).filteredOn(f -> f.check().equals("monitoring.missing")).isNotEmpty()
                .allMatch(f -> f.node().equals("gpu-a03"));
    }

    @Test
    void seriesNamingAHostKubernetesDoesNotKnowCannotBeJoined() throws Exception {
        Path cluster = copy(complete(), "unjoinable");
        Path dcgm = cluster.resolve("gpu-a02/dcgm-exporter.prom");
        Files.writeString(dcgm, Files.readString(dcgm).replace("Hostname=\"gpu-a02\"", "Hostname=\"dcgm-exporter-7xk2p\""));
        assertThat(check(cluster).findings()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("monitoring.unjoinable");
            assertThat(f.node()).isEqualTo("dcgm-exporter-7xk2p");
        });
    }

    @Test
    void aMigGpusProfilingSeriesWithoutAnInstanceIdAreFound() throws Exception {
        Path cluster = copy(complete(), "mig");
        Path dcgm = cluster.resolve("gpu-a01/dcgm-exporter.prom");
        Files.writeString(dcgm, Files.readString(dcgm) + "DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu=\"0\",UUID=\"GPU-3f1c\","
                + "device=\"nvidia0\",modelName=\"NVIDIA H100 80GB HBM3\",GPU_I_PROFILE=\"3g.40gb\",GPU_I_ID=\"1\","
                + "Hostname=\"gpu-a01\"} 0.41\n");
        assertThat(check(cluster).findings()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("monitoring.mig_unkeyed");
            assertThat(f.node()).isEqualTo("gpu-a01");
            assertThat(f.value()).contains("GPU 0");
        });
    }

    @Test
    void aGpuRepeatedUnderSeveralPodsIsCountedOncePerPodAndSaidSo() throws Exception {
        Path cluster = copy(complete(), "shared");
        Path dcgm = cluster.resolve("gpu-a02/dcgm-exporter.prom");
        String text = Files.readString(dcgm);
        String line = text.lines().filter(l -> l.startsWith("DCGM_FI_DEV_GPU_UTIL{gpu=\"1\"")).findFirst().orElseThrow();
        Files.writeString(dcgm, text.replace(line, line.replace("Hostname=", "namespace=\"infer\",pod=\"chat-a\",Hostname=")
                + "\n" + line.replace("Hostname=", "namespace=\"infer\",pod=\"chat-b\",Hostname=")));
        assertThat(check(cluster).findings()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("monitoring.double_counted");
            assertThat(f.value()).isEqualTo("2 pods on GPU 1");
            assertThat(f.detail()).contains("infer/chat-a", "infer/chat-b");
        });
    }

    @Test
    void samplesOlderThanTwoIntervalsAreStale() throws Exception {
        Path cluster = copy(complete(), "stale");
        Path ne = cluster.resolve("gpu-a01/node-exporter.prom");
        // The text format's optional timestamps, in milliseconds: node_load1 stopped 100 s before the rest.
        Files.write(ne, Files.readAllLines(ne).stream().map(l -> l.startsWith("node_load1 ") ? l + " 1764000000000"
                : l.startsWith("node_memory_MemAvailable_bytes ") ? l + " 1764000100000" : l).toList());
        assertThat(check(cluster).findings()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("monitoring.stale");
            assertThat(f.value()).isEqualTo("node_load1 100 s old");
        });
    }

    @Test
    void aCounterLowerInTheLaterRoundIsFound() throws Exception {
        Path first = complete();
        Path second = copy(first, "later");
        replaceValue(second.resolve("gpu-a02/dcgm-exporter.prom"), "DCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu=\"0\"", "0");
        replaceValue(first.resolve("gpu-a02/dcgm-exporter.prom"), "DCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu=\"0\"", "17");
        List<Finding> findings = new MonitoringCheck(CATALOG, Duration.ofSeconds(15))
                .check(List.of(Scrapes.read(first), Scrapes.read(second))).findings();
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("monitoring.counter_decreased");
            assertThat(f.node()).isEqualTo("gpu-a02");
            assertThat(f.value()).contains("from 17 to 0");
        });
        // A gauge may go down: the same change to a gauge says nothing.
        replaceValue(first.resolve("gpu-a02/dcgm-exporter.prom"), "DCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu=\"0\"", "0");
        replaceValue(first.resolve("gpu-a02/dcgm-exporter.prom"), "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"", "80");
        assertThat(new MonitoringCheck(CATALOG, Duration.ofSeconds(15))
                .check(List.of(Scrapes.read(first), Scrapes.read(second))).findings()).isEmpty();
    }

    @Test
    void aMissingExporterAndAMissingSchedulerAreEachOneFailure() throws Exception {
        Path cluster = copy(complete(), "no-ksm-no-kueue");
        Files.delete(cluster.resolve("cluster/kueue.prom"));
        Files.delete(cluster.resolve("gpu-a01/node-exporter.prom"));
        Files.delete(cluster.resolve("gpu-a02/node-exporter.prom"));
        List<Finding> findings = check(cluster).findings();
        assertThat(findings).extracting(Finding::check, Finding::expected).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("monitoring.family_missing", "node-exporter"),
                org.assertj.core.groups.Tuple.tuple("monitoring.family_missing", "kueue or volcano"));
    }

    @Test
    void aLineThatIsNotASampleIsSaidWithItsNumber() throws Exception {
        Path cluster = copy(complete(), "garbled");
        Path ne = cluster.resolve("gpu-a01/node-exporter.prom");
        Files.writeString(ne, Files.readString(ne) + "node_load5{cpu=\"0\" 3.2\n");
        assertThat(check(cluster).findings()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("monitoring.unread");
            assertThat(f.verdict()).isEqualTo(Verdict.WARN);
            assertThat(f.detail()).contains("node-exporter.prom").contains("line ");
        });
    }

    private MonitoringCheck.Result check(Path folder) throws IOException {
        return new MonitoringCheck(CATALOG, Duration.ofSeconds(15)).check(List.of(Scrapes.read(folder)));
    }

    private Path complete() throws IOException, URISyntaxException {
        Path source = Path.of(MonitoringCheckTest.class.getResource("/monitoring/complete").toURI());
        return copy(source, "complete");
    }

    private Path copy(Path from, String name) throws IOException {
        Path to = work.resolve(name);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    /** Drops every line of {@code metric} (samples, histogram series, HELP and TYPE) from every file. */
    private static void removeMetric(Path folder, String metric) throws IOException {
        String base = metric.replaceFirst("_bucket$", "");
        Pattern own = Pattern.compile("^(# (HELP|TYPE) )?" + Pattern.quote(base) + "(_bucket|_sum|_count)?[{ ].*");
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                List<String> kept = new ArrayList<>();
                for (String line : Files.readAllLines(file)) {
                    if (!own.matcher(line).matches()) {
                        kept.add(line);
                    }
                }
                Files.write(file, kept);
            }
        }
    }

    private static void removeLines(Path file, String prefix) throws IOException {
        Files.write(file, Files.readAllLines(file).stream().filter(l -> !l.startsWith(prefix)).toList());
    }

    private static void replaceValue(Path file, String prefix, String value) throws IOException {
        Files.write(file, Files.readAllLines(file).stream()
                .map(l -> l.startsWith(prefix) ? l.substring(0, l.lastIndexOf(' ') + 1) + value : l).toList());
    }
}
