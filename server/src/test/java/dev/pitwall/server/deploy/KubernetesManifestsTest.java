package dev.pitwall.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.pitwall.server.config.PitwallConfig;
import io.fabric8.kubernetes.api.model.ConfigMapVolumeSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The manifests in {@code deploy/kubernetes}: each loads into fabric8's typed model with no
 * field the model does not know (a misspelt or misplaced key is a failure, not a silently
 * ignored line), the kustomization lists every file, the pieces refer to each other by the
 * names and labels they carry, and the shipped configuration is one Pitwall accepts.
 */
class KubernetesManifestsTest {

    private static final Path BASE = Path.of("..", "deploy", "kubernetes", "base");
    private static final Path OVERLAY = Path.of("..", "deploy", "kubernetes", "overlays", "production");
    private static final Map<String, Class<? extends KubernetesResource>> KINDS = Map.of(
            "ServiceAccount", ServiceAccount.class, "ClusterRole", ClusterRole.class,
            "ClusterRoleBinding", ClusterRoleBinding.class, "Deployment", Deployment.class, "Service", Service.class,
            "PodDisruptionBudget", PodDisruptionBudget.class, "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "DaemonSet", DaemonSet.class, "PriorityClass", PriorityClass.class);
    /** Kustomize's own files and the configuration, which are not Kubernetes objects. */
    private static final Set<String> NOT_MANIFESTS = Set.of("kustomization.yaml", "pitwall.yaml");

    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final YAMLMapper yaml = new YAMLMapper();

    @Test
    void everyManifestLoadsIntoTheTypedModelWithNoFieldItDoesNotKnow() throws Exception {
        List<Path> files = new ArrayList<>(manifests(BASE));
        files.addAll(manifests(OVERLAY));
        assertThat(files).hasSizeGreaterThanOrEqualTo(10);
        for (Path file : files) {
            for (String document : documents(file)) {
                String kind = yaml.readTree(document).path("kind").asText();
                switch (kind) {
                    case "ServiceMonitor" -> strict().readValue(yaml.readTree(document).toString(), ServiceMonitor.class);
                    case "PrometheusRule" -> strict().readValue(yaml.readTree(document).toString(), PrometheusRule.class);
                    default -> {
                        assertThat(KINDS).as("%s: kind %s", file, kind).containsKey(kind);
                        KubernetesResource loaded = serialization.unmarshal(document, KINDS.get(kind));
                        assertThat(unknownFields(loaded, kind)).as("%s: fields the model does not know", file).isEmpty();
                    }
                }
            }
        }
    }

    @Test
    void theKustomizationListsEveryManifestAndTheConfigIsOnePitwallAccepts() throws Exception {
        JsonNode kustomization = yaml.readTree(BASE.resolve("kustomization.yaml").toFile());
        List<String> listed = new ArrayList<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(manifests(BASE).stream()
                .map(p -> p.getFileName().toString()).toList());
        JsonNode generator = kustomization.path("configMapGenerator").get(0);
        assertThat(generator.path("files").get(0).asText()).isEqualTo("pitwall.yaml");

        PitwallConfig config = PitwallConfig.load(Optional.of(BASE.resolve("pitwall.yaml")), Map.of());
        Deployment deployment = load("deployment.yaml", Deployment.class);
        Container server = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(server.getPorts().getFirst().getContainerPort()).isEqualTo(config.server().port());
        assertThat(server.getArgs()).containsExactly("serve", "--config", "/etc/pitwall/pitwall.yaml");
        assertThat(server.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/etc/pitwall"));
        ConfigMapVolumeSource mounted = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null).findFirst().orElseThrow().getConfigMap();
        assertThat(mounted.getName()).isEqualTo(generator.path("name").asText());
        assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
        assertThat(server.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
        assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    @Test
    void thePiecesReferToEachOtherByTheNamesAndLabelsTheyCarry() throws Exception {
        Deployment deployment = load("deployment.yaml", Deployment.class);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        Service service = load("service.yaml", Service.class);
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        PodDisruptionBudget pdb = load("poddisruptionbudget.yaml", PodDisruptionBudget.class);
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        HorizontalPodAutoscaler hpa = load("horizontalpodautoscaler.yaml", HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
        assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);

        ServiceAccount account = load("serviceaccount.yaml", ServiceAccount.class);
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(account.getMetadata().getName());
        List<String> rbac = documents(BASE.resolve("rbac.yaml"));
        ClusterRole role = serialization.unmarshal(rbac.get(0), ClusterRole.class);
        assertThat(role.getRules()).anyMatch(r -> r.getResources().contains("nodes") && r.getVerbs().contains("patch")
                && r.getVerbs().contains("get"));
        ClusterRoleBinding binding = serialization.unmarshal(rbac.get(1), ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects().getFirst().getName()).isEqualTo(account.getMetadata().getName());

        ServiceMonitor monitor = strict().readValue(yaml.readTree(BASE.resolve("servicemonitor.yaml").toFile()).toString(),
                ServiceMonitor.class);
        assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(monitor.spec().selector().matchLabels());
        assertThat(service.getSpec().getPorts()).anyMatch(p -> p.getName().equals(monitor.spec().endpoints().getFirst().port()));
        assertThat(monitor.spec().endpoints().getFirst().path()).isEqualTo("/metrics");

        DaemonSet agent = load("agent-daemonset.yaml", DaemonSet.class);
        Container container = agent.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(container.getArgs()).contains("agent", "--server=http://" + service.getMetadata().getName() + ":"
                + service.getSpec().getPorts().getFirst().getPort());
        assertThat(agent.getSpec().getTemplate().getSpec().getTolerations()).anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()));
        assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
    }

    @Test
    void thePrometheusRuleCarriesTheSameGroupsAsTheRulesFile() throws Exception {
        JsonNode rule = yaml.readTree(BASE.resolve("prometheusrule.yaml").toFile());
        JsonNode file = yaml.readTree(Path.of("..", "deploy", "prometheus", "pitwall-slos.rules.yml").toFile());
        assertThat(rule.path("spec").path("groups")).isEqualTo(file.path("groups"));
    }

    @Test
    void kustomizeBuildsTheProductionOverlayIntoOneNamespace() throws Exception {
        assumeTrue(onPath("kubectl"), "kubectl not found: the overlay is checked file by file only");
        Process build = new ProcessBuilder("kubectl", "kustomize", OVERLAY.toString()).redirectErrorStream(true).start();
        String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(build.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(build.exitValue()).as(out).isZero();
        List<JsonNode> objects = new ArrayList<>();
        for (String document : out.split("(?m)^---$")) {
            objects.add(yaml.readTree(document));
        }
        assertThat(objects).hasSize(13);
        for (JsonNode o : objects) {
            String kind = o.path("kind").asText();
            if (!kind.startsWith("Cluster") && !kind.equals("PriorityClass")) {
                assertThat(o.path("metadata").path("namespace").asText()).as(kind).isEqualTo("pitwall");
            }
        }
        JsonNode deployment = objects.stream().filter(o -> o.path("kind").asText().equals("Deployment")).findFirst()
                .orElseThrow();
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(deployment.findValuesAsText("image")).containsOnly("registry.example.internal/pitwall:0.1.0");
        assertThat(objects).anySatisfy(o -> {
            assertThat(o.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
            assertThat(o.path("data").properties()).hasSize(4);
        });
    }

    /** The model's catch-all for fields it does not know, anywhere in {@code root}, as paths. */
    private static List<String> unknownFields(Object root, String path) throws Exception {
        List<String> found = new ArrayList<>();
        walk(root, path, found, new IdentityHashMap<>());
        return found;
    }

    private static void walk(Object node, String path, List<String> found, Map<Object, Boolean> seen) throws Exception {
        if (node == null || seen.put(node, true) != null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value = getter.invoke(node);
            if (getter.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) value).keySet().forEach(k -> found.add(path + "." + k));
            } else if (value instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    walk(e.getValue(), path + "." + e.getKey(), found, seen);
                }
            } else {
                walk(value, path + "." + getter.getName().substring(3), found, seen);
            }
        }
    }

    private <T extends KubernetesResource> T load(String file, Class<T> type) throws Exception {
        return serialization.unmarshal(Files.readString(BASE.resolve(file)), type);
    }

    private static List<Path> manifests(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".yaml") && !NOT_MANIFESTS.contains(p.getFileName().toString()))
                    .sorted().toList();
        }
    }

    private static List<String> documents(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        for (String document : Files.readString(file).split("(?m)^---$")) {
            if (!document.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                out.add(document);
            }
        }
        return out;
    }

    private static ObjectMapper strict() {
        return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    // The Prometheus Operator's monitoring.coreos.com/v1 resources, as far as these manifests use
    // them: fabric8 ships no typed model of them here, so these name the fields its CRDs define.

    record ObjectMeta(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
    }

    record LabelSelector(Map<String, String> matchLabels) {
    }

    record Endpoint(String port, String path, String interval, String scrapeTimeout, String scheme) {
    }

    record ServiceMonitorSpec(LabelSelector selector, List<Endpoint> endpoints, String jobLabel) {
    }

    record ServiceMonitor(String apiVersion, String kind, ObjectMeta metadata, ServiceMonitorSpec spec) {
        ServiceMonitor {
            assertThat(apiVersion).isEqualTo("monitoring.coreos.com/v1");
        }
    }

    record Rule(String record, String alert, String expr, @com.fasterxml.jackson.annotation.JsonProperty("for") String forDuration,
                Map<String, String> labels, Map<String, String> annotations) {
    }

    record RuleGroup(String name, String interval, List<Rule> rules) {
    }

    record PrometheusRuleSpec(List<RuleGroup> groups) {
    }

    @JsonIgnoreProperties("status")
    record PrometheusRule(String apiVersion, String kind, ObjectMeta metadata, PrometheusRuleSpec spec) {
        PrometheusRule {
            assertThat(apiVersion).isEqualTo("monitoring.coreos.com/v1");
        }
    }
}
