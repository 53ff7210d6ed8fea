package dev.podnet.policy;

import dev.podnet.config.PodnetConfig.PodLabel;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A valid MonitorPolicy as the agent applies it.
 *
 * @param name        {@code <namespace>/<name>}, the {@code task} label of its series
 * @param namespace   the policy's namespace (which pods it may select depends on it)
 * @param selector    the pods to watch; null: all it may select
 * @param podLabels   pod labels copied onto its series
 * @param measures    traffic items and their aggregation
 * @param ip4Tx       IPv4 sent, per pod
 * @param ip4Rx       IPv4 received, per pod
 * @param ip4TxInternet IPv4 sent to the internet, per pod
 * @param healthCheck the health check, or null
 * @param flowKey     how flows are keyed
 * @param created     the policy's creation time: older tasks win when there are more than maxTasks
 * @param netnsNames  for a task of the config file (no Kubernetes): the names of the network namespaces it
 *                    watches; null for a MonitorPolicy's task, which selects pods
 */
public record Task(String name, String namespace, LabelSelector selector, List<PodLabel> podLabels,
                   Map<Measure, Measure.Aggregation> measures, boolean ip4Tx, boolean ip4Rx, boolean ip4TxInternet,
                   HealthCheck healthCheck, FlowKey flowKey, Instant created, Pattern netnsNames) {

    public Task {
        podLabels = List.copyOf(podLabels);
        measures = Map.copyOf(measures);
    }

    /** {@code service}: a client's ephemeral port folded away; {@code 5tuple}: every connection its own flow. */
    public enum FlowKey { SERVICE, FIVE_TUPLE }

    public enum Command { PING, ARPING, CURL }

    public enum IpFamily { IPV4, IPV6 }

    /**
     * @param failureThreshold failures in a row before the pod is down
     * @param period           time between checks
     * @param port             curl's port (0 for the others)
     * @param path             curl's path
     */
    public record HealthCheck(Command command, Set<IpFamily> families, int failureThreshold, Duration period, int port,
                              String path) {
        public HealthCheck {
            families = Set.copyOf(families);
        }
    }

    /** The task under another name, watching the named namespaces that match {@code netnsNames}. */
    public Task forNamespaces(String newName, Pattern names) {
        return new Task(newName, "", null, podLabels, measures, ip4Tx, ip4Rx, ip4TxInternet, healthCheck, flowKey, created,
                names);
    }

    /** Whether some item is aggregated per flow (the kernel then keeps flows for the task's pods). */
    public boolean wantsFlows() {
        return measures.containsValue(Measure.Aggregation.FLOW);
    }
}
