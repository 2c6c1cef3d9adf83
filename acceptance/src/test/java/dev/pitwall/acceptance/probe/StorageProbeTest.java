package dev.pitwall.acceptance.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.testing.SharedSamples;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The storage check on fabric8's mock API server, with a stand-in for the CSI provisioner (binds
 * claims to PersistentVolumes of driver rbd.csi.ceph.com, deletes them with their claims unless
 * told to retain) and the kubelet (places pods on three nodes, ends them, serves their logs:
 * fio's JSON from a real kubestr run on Ceph RBD).
 */
@EnableKubernetesMockClient(crud = true)
class StorageProbeTest {

    static {
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    }

    KubernetesMockServer server;
    KubernetesClient client;
    private Thread standIn;
    private volatile boolean running = true;
    private volatile boolean provisions = true;
    private volatile boolean retains = false;
    private volatile boolean corrupts = false;
    private String fio;

    @BeforeEach
    void cluster() throws Exception {
        fio = Files.readString(SharedSamples.get("fio/kubestr_fio320_rbd_randread_randwrite_4k_qd64.json"));
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("ceph-rbd")
                .endMetadata().withProvisioner("rbd.csi.ceph.com").withVolumeBindingMode("WaitForFirstConsumer")
                .withReclaimPolicy("Delete").build()).create();
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("local-path")
                .endMetadata().withProvisioner("rancher.io/local-path").build()).create();
        AtomicInteger placed = new AtomicInteger();
        standIn = Thread.ofPlatform().daemon().start(() -> {
            while (running) {
                try {
                    kubeletAndProvisioner(placed);
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // An object deleted under the loop: the next pass sees the new state.
                }
            }
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        running = false;
        standIn.join();
    }

    private void kubeletAndProvisioner(AtomicInteger placed) {
        var claims = client.persistentVolumeClaims().inNamespace("pitwall-probes");
        for (PersistentVolumeClaim claim : claims.list().getItems()) {
            String name = claim.getMetadata().getName();
            if (provisions && claim.getSpec().getVolumeName() == null) {
                String pv = "pvc-" + name;
                client.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName(pv)
                        .endMetadata().withNewSpec().addToCapacity("storage", new Quantity("10Gi"))
                        .withPersistentVolumeReclaimPolicy(retains ? "Retain" : "Delete")
                        .withNewCsi().withDriver("rbd.csi.ceph.com").withVolumeHandle(name).endCsi().endSpec().build())
                        .create();
                claims.withName(name).edit(c -> {
                    c.getSpec().setVolumeName(pv);
                    return c;
                });
                claims.withName(name).editStatus(c -> {
                    c.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder()
                            .withPhase("Bound").build());
                    return c;
                });
            }
        }
        List<String> claimed = claims.list().getItems().stream().map(c -> "pvc-" + c.getMetadata().getName()).toList();
        for (var pv : client.persistentVolumes().list().getItems()) {
            if (!retains && !claimed.contains(pv.getMetadata().getName())) {
                client.persistentVolumes().resource(pv).delete();
            }
        }
        for (Pod pod : client.pods().inNamespace("pitwall-probes").list().getItems()) {
            if (pod.getStatus() != null && pod.getStatus().getPhase() != null) {
                continue;
            }
            String claim = pod.getSpec().getVolumes().getFirst().getPersistentVolumeClaim().getClaimName();
            PersistentVolumeClaim bound = claims.withName(claim).get();
            if (bound == null || bound.getSpec().getVolumeName() == null) {
                continue;
            }
            String name = pod.getMetadata().getName();
            String node = "gpu-a0" + (placed.getAndIncrement() % 3 + 1);
            server.expect().get().withPath("/api/v1/namespaces/pitwall-probes/pods/" + name + "/log?pretty=false")
                    .andReturn(200, name.endsWith("reader") ? (corrupts ? "/data/pitwall-probe: FAILED\n"
                            : "/data/pitwall-probe: OK\n" + StorageProbe.READ_BACK_OK + "\n") : name.contains("fio") ? fio : "")
                    .always();
            client.pods().inNamespace("pitwall-probes").withName(name).edit(p -> {
                p.getSpec().setNodeName(node);
                return p;
            });
            boolean fails = corrupts && name.endsWith("reader");
            client.pods().inNamespace("pitwall-probes").withName(name).editStatus(p -> {
                p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(fails ? "Failed" : "Succeeded")
                        .build());
                return p;
            });
        }
    }

    private List<Finding> probe(String storageClass, boolean shared, OptionalDouble minRead) {
        StorageProbe.Settings settings = new StorageProbe.Settings(storageClass, "10Gi", 3, shared, "fio-image", "1G",
                minRead, OptionalDouble.empty(), Duration.ofSeconds(3));
        try (ProbeSession session = new ProbeSession(client, "pitwall-probes", "s1", Optional.empty(),
                Duration.ofMinutes(1), Duration.ofMillis(10), Clock.systemUTC())) {
            return new StorageProbe(settings).run(session);
        }
    }

    private static Map<String, Finding> byCheck(List<Finding> findings) {
        return findings.stream().collect(Collectors.toMap(f -> f.check().replace("storage.", ""), f -> f));
    }

    @Test
    void provisionsThroughCsiReadsBackMeasuresThreePodsAtOnceAndDeletesEverything() {
        // Another run's pod in the same namespace: neither counted nor deleted by this one.
        client.pods().inNamespace("pitwall-probes").resource(new PodBuilder().withNewMetadata()
                .withName("pitwall-zz-fio-0").addToLabels(ProbeSession.LABEL, "zz").endMetadata().withNewSpec()
                .addNewContainer().withName("probe").withImage("fio-image").endContainer().endSpec().withNewStatus()
                .withPhase("Running").endStatus().build()).create();
        Map<String, Finding> found = byCheck(probe("ceph-rbd", false, OptionalDouble.empty()));

        assertThat(found.keySet()).containsExactlyInAnyOrder("class", "provision", "write_read", "aggregate_bandwidth",
                "cleanup");
        assertThat(found.values()).allSatisfy(f -> assertThat(f.verdict()).as(f.check() + ": " + f.detail())
                .isEqualTo(Verdict.PASS));
        assertThat(found.get("class").detail()).contains("provisioner rbd.csi.ceph.com, binding WaitForFirstConsumer");
        assertThat(found.get("provision").detail()).contains("(driver rbd.csi.ceph.com)");
        // kubestr's run: 3944 KiB/s read and 1578 KiB/s write per pod, three pods at once.
        assertThat(found.get("aggregate_bandwidth").value()).isEqualTo("read 12 MB/s, write 5 MB/s from 3 pods");
        assertThat(found.get("aggregate_bandwidth").detail()).contains("fio-0 on gpu-a0").contains("a volume each");
        assertThat(found.get("cleanup").detail()).isEqualTo("4 volumes and their 4 PersistentVolumes deleted");
        assertThat(client.persistentVolumeClaims().inAnyNamespace().list().getItems()).isEmpty();
        assertThat(client.pods().inAnyNamespace().list().getItems()).extracting(p -> p.getMetadata().getName())
                .containsExactly("pitwall-zz-fio-0");
    }

    @Test
    void anAggregateUnderTheTargetFailsAndOneSharedVolumeServesAllPods() {
        Map<String, Finding> found = byCheck(probe("ceph-rbd", true, OptionalDouble.of(1e9)));

        assertThat(found.get("aggregate_bandwidth").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(found.get("aggregate_bandwidth").expected()).isEqualTo("read ≥ 1.00 GB/s");
        assertThat(found.get("aggregate_bandwidth").detail()).contains("one shared volume");
        assertThat(found.get("cleanup").detail()).startsWith("2 volumes");
    }

    @Test
    void aClassThatIsNotThereIsNamedWithTheOnesThatAre() {
        List<Finding> found = probe("fast-nvme", false, OptionalDouble.empty());

        assertThat(found).hasSize(1);
        assertThat(found.getFirst().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(found.getFirst().detail()).isEqualTo("the cluster has no StorageClass fast-nvme; it has: ceph-rbd, local-path");
    }

    @Test
    void aVolumeNeverProvisionedFailsAndIsStillCleanedUp() {
        provisions = false;
        Map<String, Finding> found = byCheck(probe("ceph-rbd", false, OptionalDouble.empty()));

        assertThat(found.get("provision").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(found.get("provision").detail()).contains("the provisioner created no volume");
        assertThat(found).doesNotContainKeys("write_read", "aggregate_bandwidth");
        assertThat(found.get("cleanup").verdict()).isEqualTo(Verdict.PASS);
        assertThat(client.persistentVolumeClaims().inAnyNamespace().list().getItems()).isEmpty();
    }

    @Test
    void whatTheSecondPodCannotReadBackFailsAndRetainedVolumesAreReported() {
        corrupts = true;
        retains = true;
        Map<String, Finding> found = byCheck(probe("ceph-rbd", false, OptionalDouble.empty()));

        assertThat(found.get("write_read").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(found.get("write_read").detail()).contains("its log ends: /data/pitwall-probe: FAILED");
        assertThat(found.get("cleanup").verdict()).isEqualTo(Verdict.WARN);
        assertThat(found.get("cleanup").detail()).contains("pvc-pitwall-s1-volume (Retain");
    }
}
