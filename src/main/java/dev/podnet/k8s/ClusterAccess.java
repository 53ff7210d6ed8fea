package dev.podnet.k8s;

import dev.podnet.config.PodnetConfig;
import dev.podnet.config.PodnetConfig.KubernetesMode;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Decides whether podnet talks to Kubernetes, builds the client, and names this node. Environment and
 * paths are parameters so the decision can be tested without a cluster.
 */
public final class ClusterAccess {
    static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    private ClusterAccess() {
    }

    /** Whether to watch the API server, and why (logged at startup). */
    public record Decision(boolean enabled, String reason) {
    }

    /**
     * @param env          the process environment
     * @param home         the user's home directory (for {@code ~/.kube/config})
     * @param serviceToken the in-cluster service account token file
     */
    public static Decision decide(PodnetConfig config, Map<String, String> env, Path home, Path serviceToken) {
        if (config.kubernetes() == KubernetesMode.OFF) {
            return new Decision(false, "kubernetes: false in the config");
        }
        String found = credentials(config, env, home, serviceToken);
        if (config.kubernetes() == KubernetesMode.ON) {
            return new Decision(true, found != null ? found
                    : "kubernetes: true in the config, but no credentials were found; trying the defaults");
        }
        return found != null ? new Decision(true, found)
                : new Decision(false, "no Kubernetes credentials (no service account, KUBECONFIG or ~/.kube/config): host mode");
    }

    private static String credentials(PodnetConfig config, Map<String, String> env, Path home, Path serviceToken) {
        if (config.kubeconfig() != null) {
            return "kubeconfig " + config.kubeconfig() + " from the config";
        }
        if (env.get("KUBERNETES_SERVICE_HOST") != null && Files.isReadable(serviceToken)) {
            return "in-cluster service account";
        }
        String kubeconfigEnv = env.get("KUBECONFIG");
        if (kubeconfigEnv != null) {
            for (String path : kubeconfigEnv.split(File.pathSeparator)) {
                if (!path.isBlank() && Files.isReadable(Path.of(path))) {
                    return "kubeconfig " + path + " from KUBECONFIG";
                }
            }
        }
        Path standard = home.resolve(".kube/config");
        if (Files.isReadable(standard)) {
            return "kubeconfig " + standard;
        }
        return null;
    }

    /** A client for the config's kubeconfig, else fabric8's usual search (service account, KUBECONFIG, ~/.kube/config). */
    public static KubernetesClient client(PodnetConfig config) {
        KubernetesClientBuilder builder = new KubernetesClientBuilder();
        if (config.kubeconfig() != null) {
            builder.withConfig(Config.fromKubeconfig(null, config.kubeconfig().toFile()));
        }
        return builder.build();
    }

    /**
     * The node whose pods to watch: the config's {@code nodeName}, else {@code NODE_NAME} (the DaemonSet
     * sets it from {@code spec.nodeName}), else the hostname lower-cased, as the kubelet names its node.
     */
    public static String nodeName(PodnetConfig config, Map<String, String> env, Path hostnameFile) {
        if (config.nodeName() != null) {
            return config.nodeName();
        }
        String fromEnv = env.get("NODE_NAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        try {
            return Files.readString(hostnameFile, StandardCharsets.UTF_8).strip().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "localhost";
        }
    }
}
