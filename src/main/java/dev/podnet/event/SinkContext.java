package dev.podnet.event;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What sinks may need from the agent.
 *
 * @param node       the node's name (stream labels, reportingInstance)
 * @param kubernetes the agent's API client, or null when it runs without the Kubernetes API (host mode);
 *                   asked when a sink starts, since the agent connects after the bus exists
 * @param podUid     the uid of a pod of this node by (namespace, name), empty when not known
 */
public record SinkContext(String node, Supplier<KubernetesClient> kubernetes, BiFunction<String, String, String> podUid) {

    /** A context without the Kubernetes API. */
    public SinkContext(String node) {
        this(node, () -> null, (namespace, pod) -> "");
    }
}
