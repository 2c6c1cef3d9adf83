package dev.pitwall.trainops.action;

/**
 * Whether Pitwall may act on nodes through the Kubernetes API, and where that API is.
 *
 * @param enabled   off by default: cordoning is a real action on a real cluster
 * @param masterUrl the API server; empty to take it from the in-cluster service account or ~/.kube/config
 */
public record KubernetesConfig(boolean enabled, String masterUrl) {

    public KubernetesConfig {
        masterUrl = masterUrl == null ? "" : masterUrl.strip();
    }

    public static KubernetesConfig defaults() {
        return new KubernetesConfig(false, "");
    }
}
