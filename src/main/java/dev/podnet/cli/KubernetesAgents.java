package dev.podnet.cli;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * {@code podnet watch --kubernetes}: the agents are the pods of podnet's DaemonSet, found by label and
 * reached through the API server's port-forward, so the watcher needs no route to the nodes, only the
 * RBAC for {@code pods/portforward}. Pods are followed with an informer: a new pod (a new node, a
 * rollout) is watched as it starts running, a deleted one is dropped.
 */
public final class KubernetesAgents {
    static final int DEFAULT_PORT = 9475;

    @Option(names = "--kubernetes", description = "Find the agents as pods of podnet's DaemonSet and reach them through "
            + "the API server's port-forward (kubeconfig as kubectl finds it, or --kubeconfig).")
    boolean enabled;

    @Option(names = "--namespace-of-agent", paramLabel = "NS", defaultValue = "podnet",
            description = "With --kubernetes: the namespace podnet runs in. Default: ${DEFAULT-VALUE}.")
    String namespace;

    @Option(names = "--selector", paramLabel = "LABELS", defaultValue = "app.kubernetes.io/name=podnet",
            description = "With --kubernetes: the label selector of podnet's pods. Default: ${DEFAULT-VALUE}.")
    String selector;

    @Option(names = "--node", paramLabel = "NODE", split = ",", description = "With --kubernetes: only the agents of these nodes.")
    List<String> nodes = new ArrayList<>();

    @Option(names = "--agent-port", paramLabel = "PORT", description = "With --kubernetes: the agents' port. "
            + "Default: the pod's container port named metrics, else " + DEFAULT_PORT + ".")
    Integer port;

    @Option(names = "--agent-scheme", paramLabel = "SCHEME", defaultValue = "http",
            description = "With --kubernetes: http or https. Default: ${DEFAULT-VALUE}.")
    String scheme;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "With --kubernetes: the kubeconfig to use.")
    Path kubeconfig;

    /** Opens a local way to a pod's port: its base URL and what closes it. */
    interface Forwarder {
        Forward open(KubernetesClient client, Pod pod, int port) throws IOException;
    }

    record Forward(String baseUrl, Closeable closer) {
    }

    /** Through the API server, on an ephemeral loopback port. */
    static final Forwarder PORT_FORWARD = (client, pod, port) -> {
        LocalPortForward forward = client.pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).portForward(port);
        return new Forward("127.0.0.1:" + forward.getLocalPort(), forward);
    };

    /** What is wrong with the flags, or null. */
    String problem() {
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "--agent-scheme: expected http or https, got " + scheme;
        }
        if (port != null && (port < 1 || port > 65535)) {
            return "--agent-port: expected 1-65535, got " + port;
        }
        return null;
    }

    KubernetesClient client() {
        KubernetesClientBuilder builder = new KubernetesClientBuilder();
        if (kubeconfig != null) {
            builder.withConfig(Config.fromKubeconfig(null, kubeconfig.toFile()));
        }
        return builder.build();
    }

    /**
     * Follows the pods until interrupted.
     *
     * @param events the {@code /events} URL (with the filters) of an agent's base URL
     */
    void follow(KubernetesClient client, Forwarder forwarder, AgentStreams streams, WatchOutput output,
                Function<String, URI> events) throws InterruptedException {
        Follower follower = new Follower(client, forwarder, streams, output, events);
        try (SharedIndexInformer<Pod> informer = client.pods().inNamespace(namespace).withLabelSelector(selector)
                .inform(follower, 30_000)) {
            if (!streams.hasAny()) {
                output.note("no running pods with " + selector + " in namespace " + namespace
                        + (nodes.isEmpty() ? "" : " on " + String.join(", ", nodes)) + " yet; waiting for them");
            }
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private final class Follower implements ResourceEventHandler<Pod> {
        private final KubernetesClient client;
        private final Forwarder forwarder;
        private final AgentStreams streams;
        private final WatchOutput output;
        private final Function<String, URI> events;

        Follower(KubernetesClient client, Forwarder forwarder, AgentStreams streams, WatchOutput output, Function<String, URI> events) {
            this.client = client;
            this.forwarder = forwarder;
            this.streams = streams;
            this.output = output;
            this.events = events;
        }

        @Override
        public void onAdd(Pod pod) {
            reconcile(pod, false);
        }

        @Override
        public void onUpdate(Pod before, Pod pod) {
            reconcile(pod, false);
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            reconcile(pod, true);
        }

        private synchronized void reconcile(Pod pod, boolean deleted) {
            String name = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            boolean running = !deleted && pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                    && "Running".equals(pod.getStatus().getPhase());
            boolean wanted = running && (nodes.isEmpty() || nodes.contains(node));
            if (wanted && !streams.has(name)) {
                try {
                    Forward forward = forwarder.open(client, pod, port == null ? metricsPort(pod) : port);
                    streams.start(name, events.apply(scheme + "://" + forward.baseUrl()), forward.closer());
                } catch (IOException | RuntimeException e) {
                    output.state(name, "cannot port-forward: " + AgentStream.describe(e) + " (tried again in 30 s)");
                }
            } else if (!wanted && streams.stop(name)) {
                output.state(name, "removed: the pod " + (deleted ? "was deleted" : "is no longer running"));
            }
        }
    }

    /** The container port named {@code metrics} (as the chart names it), else the default. */
    static int metricsPort(Pod pod) {
        if (pod.getSpec() != null && pod.getSpec().getContainers() != null) {
            for (Container container : pod.getSpec().getContainers()) {
                for (ContainerPort p : container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
                    if ("metrics".equals(p.getName()) && p.getContainerPort() != null) {
                        return p.getContainerPort();
                    }
                }
            }
        }
        return DEFAULT_PORT;
    }
}
