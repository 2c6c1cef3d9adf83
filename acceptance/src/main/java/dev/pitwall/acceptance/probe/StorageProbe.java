package dev.pitwall.acceptance.probe;

import dev.pitwall.acceptance.parse.FioJsonParser;
import dev.pitwall.acceptance.parse.Measurement;
import dev.pitwall.acceptance.parse.ToolOutput;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * The storage interface check: a volume of the storage class is provisioned through its CSI
 * driver, mounted by one probe pod that writes a file and its checksum, then by a second pod that
 * reads it back and verifies it; then several probe pods at once, spread over nodes, run fio
 * (sequential write, then read) for the aggregate bandwidth; last, the volumes are deleted and
 * their PersistentVolumes must go with them. Results come from the pods' exit status and logs
 * (fio's JSON, read by the same reader as any fio output).
 */
public final class StorageProbe {

    static final String MOUNT = "/data";
    static final String READ_BACK_OK = "pitwall-probe: read back OK";

    /**
     * @param storageClass the StorageClass to provision from
     * @param size         each volume's size
     * @param pods         how many pods run fio at once
     * @param shared       one ReadWriteMany volume for all fio pods (a shared file system) instead of one each
     * @param image        an image with sh, sha256sum and fio
     * @param fioSize      how much each fio pod writes and reads
     * @param minReadBytesPerSecond  the aggregate read bandwidth the cluster must reach, if any
     * @param minWriteBytesPerSecond the aggregate write bandwidth the cluster must reach, if any
     * @param stageTimeout how long one stage (provision, write, read, fio) may take
     */
    public record Settings(String storageClass, String size, int pods, boolean shared, String image, String fioSize,
                           OptionalDouble minReadBytesPerSecond, OptionalDouble minWriteBytesPerSecond,
                           Duration stageTimeout) {
    }

    private final Settings settings;

    public StorageProbe(Settings settings) {
        this.settings = settings;
    }

    public List<Finding> run(ProbeSession session) {
        List<Finding> findings = new ArrayList<>();
        KubernetesClient client = session.client();
        StorageClass found;
        try {
            found = client.storage().v1().storageClasses().withName(settings.storageClass()).get();
        } catch (KubernetesClientException e) {
            findings.add(finding("class", Verdict.FAIL, "unreadable", settings.storageClass(),
                    "the StorageClasses could not be read (" + e.getCode() + "): " + e.getMessage()));
            return findings;
        }
        if (found == null) {
            String known = client.storage().v1().storageClasses().list().getItems().stream()
                    .map(c -> c.getMetadata().getName()).sorted().collect(Collectors.joining(", "));
            findings.add(finding("class", Verdict.FAIL, "missing", settings.storageClass(),
                    "the cluster has no StorageClass " + settings.storageClass() + "; it has: "
                            + (known.isEmpty() ? "none" : known)));
            return findings;
        }
        findings.add(finding("class", Verdict.PASS, found.getProvisioner(), settings.storageClass(),
                "StorageClass " + settings.storageClass() + ": provisioner " + found.getProvisioner() + ", binding "
                        + Optional.ofNullable(found.getVolumeBindingMode()).orElse("Immediate") + ", reclaim "
                        + Optional.ofNullable(found.getReclaimPolicy()).orElse("Delete")));
        List<String> volumes = new ArrayList<>();
        try {
            writeAndReadBack(session, volumes, findings);
            if (findings.stream().noneMatch(f -> f.verdict() == Verdict.FAIL)) {
                findings.add(aggregateBandwidth(session, volumes));
            }
        } finally {
            findings.add(cleanUp(session, volumes));
        }
        return findings;
    }

    private void writeAndReadBack(ProbeSession session, List<String> volumes, List<Finding> findings) {
        String volume = claim(session, "volume", "ReadWriteOnce", volumes);
        Instant start = session.now();
        Pod writer = session.create(pod(session, "writer", List.of(volume), "head -c 64M /dev/urandom > " + MOUNT
                + "/pitwall-probe && sha256sum " + MOUNT + "/pitwall-probe > " + MOUNT + "/pitwall-probe.sha256 && sync"));
        String writerPhase = finished(session, "writer");
        PersistentVolumeClaim claim = session.client().persistentVolumeClaims().inNamespace(session.namespace())
                .withName(volume).get();
        String phase = claim == null || claim.getStatus() == null ? "missing" : claim.getStatus().getPhase();
        if (!"Bound".equals(phase)) {
            findings.add(finding("provision", Verdict.FAIL, phase, "Bound",
                    "the " + settings.size() + " volume " + volume + " was still " + phase + " "
                            + seconds(Duration.between(start, session.now())) + " after a pod asked for it: the "
                            + "provisioner created no volume" + events(session, volume)));
            return;
        }
        PersistentVolume pv = session.client().persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
        String driver = pv == null || pv.getSpec().getCsi() == null ? "not CSI" : pv.getSpec().getCsi().getDriver();
        findings.add(finding("provision", pv != null && pv.getSpec().getCsi() != null ? Verdict.PASS : Verdict.WARN,
                "Bound", "Bound through CSI", "volume " + volume + " bound to " + claim.getSpec().getVolumeName()
                        + " (driver " + driver + ") on node " + writer.getSpec().getNodeName() + "'s request, "
                        + seconds(Duration.between(start, session.now())) + " after it was asked for"));
        if (!"Succeeded".equals(writerPhase)) {
            findings.add(finding("write_read", Verdict.FAIL, "write " + writerPhase, "written and read back",
                    "the pod writing 64 MiB to the volume ended " + writerPhase + logTail(session, "writer")));
            return;
        }
        session.create(pod(session, "reader", List.of(volume), "sha256sum -c " + MOUNT + "/pitwall-probe.sha256 && echo '"
                + READ_BACK_OK + "'"));
        String readerPhase = finished(session, "reader");
        String log = log(session, "reader");
        if (!"Succeeded".equals(readerPhase) || !log.contains(READ_BACK_OK)) {
            findings.add(finding("write_read", Verdict.FAIL, "read " + readerPhase, "written and read back",
                    "a second pod mounting the volume could not read back what the first wrote (" + readerPhase + ")"
                            + logTail(session, "reader")));
            return;
        }
        findings.add(finding("write_read", Verdict.PASS, "read back", "written and read back",
                "64 MiB written by one pod and verified by its SHA-256 in a second pod mounting the same volume"));
    }

    private Finding aggregateBandwidth(ProbeSession session, List<String> volumes) {
        String shared = settings.shared() ? claim(session, "shared", "ReadWriteMany", volumes) : null;
        List<String> pods = new ArrayList<>();
        for (int i = 0; i < settings.pods(); i++) {
            String volume = shared != null ? shared : claim(session, "fio-" + i, "ReadWriteOnce", volumes);
            String what = "fio-" + i;
            // Each pod in a folder of its own, so pods on a shared volume do not read each other's files.
            session.create(pod(session, what, List.of(volume), "mkdir -p " + MOUNT + "/" + what + " && fio --directory="
                    + MOUNT + "/" + what + " --bs=1M --size=" + settings.fioSize() + " --direct=1 --ioengine=libaio"
                    + " --iodepth=16 --output-format=json --name=seq-write --rw=write --name=seq-read --stonewall"
                    + " --rw=read"));
            pods.add(what);
        }
        double read = 0;
        double write = 0;
        List<String> perPod = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String pod : pods) {
            String phase = finished(session, pod);
            String log = log(session, pod);
            ToolOutput fio = new FioJsonParser().parse(pod, log.lines().toList());
            double podRead = bandwidth(fio, "read");
            double podWrite = bandwidth(fio, "write");
            Pod placed = session.pod(pod);
            String node = placed == null ? "?" : placed.getSpec().getNodeName();
            if (!"Succeeded".equals(phase) || podRead == 0 || podWrite == 0) {
                failed.add(pod + " on " + node + " (" + phase + (fio.problems().isEmpty() ? ""
                        : ", " + fio.problems().getFirst().reason()) + ")");
                continue;
            }
            read += podRead;
            write += podWrite;
            perPod.add(String.format(Locale.ROOT, "%s on %s: read %s, write %s", pod, node, rate(podRead), rate(podWrite)));
        }
        String figures = String.format(Locale.ROOT, "read %s, write %s from %d pods", rate(read), rate(write),
                perPod.size());
        String expected = expected();
        if (!failed.isEmpty()) {
            return finding("aggregate_bandwidth", Verdict.FAIL, figures, expected,
                    "fio did not finish in " + String.join("; ", failed) + (perPod.isEmpty() ? "" : "; the others: "
                            + String.join("; ", perPod)));
        }
        boolean slow = settings.minReadBytesPerSecond().isPresent() && read < settings.minReadBytesPerSecond().getAsDouble()
                || settings.minWriteBytesPerSecond().isPresent() && write < settings.minWriteBytesPerSecond().getAsDouble();
        return finding("aggregate_bandwidth", slow ? Verdict.FAIL : Verdict.PASS, figures, expected,
                "fio sequential 1 MiB write then read of " + settings.fioSize() + " per pod, " + settings.pods()
                        + " pods at once on " + (shared != null ? "one shared volume" : "a volume each") + ": "
                        + String.join("; ", perPod));
    }

    private String expected() {
        List<String> parts = new ArrayList<>();
        settings.minReadBytesPerSecond().ifPresent(r -> parts.add("read ≥ " + rate(r)));
        settings.minWriteBytesPerSecond().ifPresent(w -> parts.add("write ≥ " + rate(w)));
        return parts.isEmpty() ? "measured" : String.join(", ", parts);
    }

    private static double bandwidth(ToolOutput fio, String direction) {
        return fio.measurements().stream().filter(m -> m.name().equals("bandwidth")
                        && direction.equals(m.labels().get("direction")))
                .mapToDouble(Measurement::value).sum();
    }

    /** Deletes the probe's pods and volumes, then sees that their PersistentVolumes went too. */
    private Finding cleanUp(ProbeSession session, List<String> volumes) {
        KubernetesClient client = session.client();
        List<String> pods = session.pods().stream().map(session::shortName).toList();
        session.deletePods(pods);
        Map<String, String> bound = new LinkedHashMap<>();
        for (String volume : volumes) {
            PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(session.namespace())
                    .withName(volume).get();
            if (claim != null && claim.getSpec().getVolumeName() != null) {
                bound.put(volume, claim.getSpec().getVolumeName());
            }
            client.persistentVolumeClaims().inNamespace(session.namespace()).withName(volume).delete();
        }
        var left = session.await(() -> bound.values().stream().filter(pv -> client.persistentVolumes().withName(pv)
                .get() != null).toList(), List::isEmpty, settings.stageTimeout()).state();
        if (left.isEmpty()) {
            return finding("cleanup", Verdict.PASS, "nothing left", "volumes deleted",
                    volumes.size() + " volumes and their " + bound.size() + " PersistentVolumes deleted");
        }
        String reclaim = left.stream().map(pv -> {
            PersistentVolume v = client.persistentVolumes().withName(pv).get();
            return v == null ? pv : pv + " (" + v.getSpec().getPersistentVolumeReclaimPolicy() + ", "
                    + (v.getStatus() == null ? "?" : v.getStatus().getPhase()) + ")";
        }).collect(Collectors.joining(", "));
        return finding("cleanup", Verdict.WARN, left.size() + " volumes left", "volumes deleted",
                "PersistentVolumes still there after their claims were deleted: " + reclaim
                        + "; delete them by hand (kubectl delete pv …) and check the class's reclaim policy");
    }

    // ---- objects ---------------------------------------------------------------------------

    private String claim(ProbeSession session, String what, String accessMode, List<String> volumes) {
        PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder().withMetadata(session.meta(what, true))
                .withNewSpec().withStorageClassName(settings.storageClass()).withAccessModes(accessMode)
                .withNewResources().addToRequests("storage", new Quantity(settings.size())).endResources().endSpec()
                .build();
        String name = session.client().persistentVolumeClaims().inNamespace(session.namespace()).resource(claim).create()
                .getMetadata().getName();
        volumes.add(name);
        return name;
    }

    private Pod pod(ProbeSession session, String what, List<String> claims, String script) {
        PodBuilder pod = session.pod(what, 0, settings.image(), List.of("sh", "-c", script));
        var spec = pod.editSpec();
        for (int i = 0; i < claims.size(); i++) {
            spec.addNewVolume().withName("v" + i).withNewPersistentVolumeClaim().withClaimName(claims.get(i))
                    .endPersistentVolumeClaim().endVolume();
        }
        spec.editFirstContainer().addNewVolumeMount().withName("v0").withMountPath(MOUNT).endVolumeMount()
                .endContainer();
        // Spread over nodes where it can, so the bandwidth is several nodes' at once.
        spec.withNewAffinity().withNewPodAntiAffinity().addNewPreferredDuringSchedulingIgnoredDuringExecution()
                .withWeight(100).withNewPodAffinityTerm().withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector().addToMatchLabels(ProbeSession.LABEL, session.runId())
                .endLabelSelector().endPodAffinityTerm().endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity().endAffinity();
        return spec.endSpec().build();
    }

    /** Waits for a pod to end; its phase (Succeeded, Failed, or what it still was at the timeout). */
    private String finished(ProbeSession session, String what) {
        Pod last = session.await(() -> session.pod(what), p -> p != null && p.getStatus() != null
                        && List.of("Succeeded", "Failed").contains(p.getStatus().getPhase()),
                settings.stageTimeout()).state();
        return last == null ? "deleted" : last.getStatus() == null || last.getStatus().getPhase() == null ? "Pending"
                : last.getStatus().getPhase();
    }

    private static String log(ProbeSession session, String what) {
        try {
            String log = session.client().pods().inNamespace(session.namespace()).withName(session.name(what)).getLog();
            return log == null ? "" : log;
        } catch (KubernetesClientException e) {
            return "";
        }
    }

    private static String logTail(ProbeSession session, String what) {
        List<String> lines = log(session, what).lines().toList();
        return lines.isEmpty() ? "; its log is empty"
                : "; its log ends: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    private static String events(ProbeSession session, String object) {
        try {
            return session.client().v1().events().inNamespace(session.namespace()).list().getItems().stream()
                    .filter(e -> e.getInvolvedObject() != null && object.equals(e.getInvolvedObject().getName()))
                    .map(e -> "; " + e.getReason() + ": " + e.getMessage()).reduce("", String::concat);
        } catch (KubernetesClientException e) {
            return "";
        }
    }

    private static Finding finding(String check, Verdict verdict, String value, String expected, String detail) {
        return new Finding("cluster", "storage." + check, verdict, value, expected, detail);
    }

    static String rate(double bytesPerSecond) {
        return bytesPerSecond >= 1e9 ? String.format(Locale.ROOT, "%.2f GB/s", bytesPerSecond / 1e9)
                : String.format(Locale.ROOT, "%.0f MB/s", bytesPerSecond / 1e6);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
