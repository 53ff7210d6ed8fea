package dev.podnet.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The validated configuration. Built only by {@link ConfigLoader}, so every instance is valid.
 *
 * @param listen        address of the HTTP server (metrics, status), {@code host:port}
 * @param minInterval   scrapes closer together than this share one collection
 * @param probeDeadline how long a scrape waits for a probe before serving its previous samples
 * @param probes        the probes to run, in order
 * @param probeSettings per-probe settings, by probe name
 * @param procfs        the procfs root
 * @param netnsDir      where named network namespaces are bind-mounted
 * @param kubernetes    whether to watch the Kubernetes API: AUTO uses it when credentials are found
 * @param podLabels     pod labels copied onto every per-pod series, in order (sanitized names)
 * @param kubeconfig    kubeconfig file to reach the API server with, or null: in-cluster service account,
 *                      else {@code KUBECONFIG}, else {@code ~/.kube/config}
 * @param nodeName      the Kubernetes node this agent watches pods of, or null: env {@code NODE_NAME}, else
 *                      the hostname
 * @param internalNetworks networks that are not the internet: traffic with a remote address outside all of
 *                      them is internet-bound
 * @param maxTasks      MonitorPolicies in force on the node at most, the oldest first
 * @param tasks         monitoring tasks over named network namespaces, for hosts without Kubernetes
 */
public record PodnetConfig(HostPort listen, Duration minInterval, Duration probeDeadline, List<String> probes,
                           Map<String, Map<String, Object>> probeSettings, Path procfs, Path netnsDir,
                           KubernetesMode kubernetes, List<PodLabel> podLabels, Path kubeconfig,
                           String nodeName, List<Cidr> internalNetworks, int maxTasks,
                           List<HostTasks.HostTask> tasks) {

    public static final int DEFAULT_PORT = 9475;

    public enum KubernetesMode { AUTO, ON, OFF }

    /** A pod label to copy: the pod's label key and the Prometheus label name it becomes. */
    public record PodLabel(String key, String labelName) {
    }

    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public PodnetConfig withListen(HostPort listen) {
        return new PodnetConfig(listen, minInterval, probeDeadline, probes, probeSettings, procfs, netnsDir, kubernetes,
                podLabels, kubeconfig, nodeName, internalNetworks, maxTasks, tasks);
    }

    public PodnetConfig withProcfs(Path procfs) {
        return new PodnetConfig(listen, minInterval, probeDeadline, probes, probeSettings, procfs, netnsDir, kubernetes,
                podLabels, kubeconfig, nodeName, internalNetworks, maxTasks, tasks);
    }
}
