package dev.podnet.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * fabric8's mock API server in CRUD mode, plus a kubeconfig file pointing at it, so the agent connects
 * the way it would to a real cluster. Pods are created and deleted through a client like a controller
 * would.
 *
 * <p>The CRUD mock matches field selectors only against metadata, so a watch with
 * {@code spec.nodeName=X} would see no pod at all. The dispatcher records the selector podnet sent (for
 * tests to assert on) and drops that one requirement; podnet filters by node on its side too, which tests
 * check with a pod on another node.
 */
public final class MockCluster implements AutoCloseable {
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final Path kubeconfig;
    private final List<String> nodeSelectors = new CopyOnWriteArrayList<>();
    private boolean stopped;

    public MockCluster() throws Exception {
        this(0);
    }

    /** An API server on this loopback port (0: any); a second one on the port of a stopped one is its comeback. */
    public MockCluster(int port) throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new NodeSelectorRecordingDispatcher(nodeSelectors), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        client = server.createClient();
        kubeconfig = Files.createTempFile("podnet-kubeconfig", ".yaml");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: %s
                contexts:
                - name: mock
                  context:
                    cluster: mock
                    user: mock
                current-context: mock
                users:
                - name: mock
                  user:
                    token: podnet-test
                """.formatted(client.getMasterUrl().toString()));
    }

    /** A kubeconfig file for the agent (config field {@code kubeconfig}). */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public int port() {
        return server.getPort();
    }

    /** The client tests use to act as the control plane. */
    public KubernetesClient client() {
        return client;
    }

    /** The {@code spec.nodeName} values of the field selectors clients listed or watched pods with. */
    public List<String> nodeSelectors() {
        return nodeSelectors;
    }

    /** Creates a Running pod on {@code node} with these IPs (primary first) and labels. */
    public Pod runPod(String namespace, String name, String node, boolean hostNetwork, List<String> ips,
                      Map<String, String> labels) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).withHostNetwork(hostNetwork)
                .addNewContainer().withName("main").withImage("registry.example/app:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ips.isEmpty() ? null : ips.getFirst())
                .withPodIPs(ips.stream().map(PodIP::new).toList()).endStatus()
                .build();
        return client.pods().inNamespace(namespace).resource(pod).create();
    }

    public void deletePod(String namespace, String name) {
        client.pods().inNamespace(namespace).withName(name).delete();
    }

    /** The API server goes away: open watches break and new connections are refused. */
    public void stopServer() {
        if (!stopped) {
            stopped = true;
            try {
                server.destroy();
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the server's event loop already stopped (its last connection closed first): it is down
            }
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
        stopServer();
        Files.deleteIfExists(kubeconfig);
    }

    private static final class NodeSelectorRecordingDispatcher extends KubernetesCrudDispatcher {
        private final List<String> seen;

        NodeSelectorRecordingDispatcher(List<String> seen) {
            this.seen = seen;
        }

        @Override
        public MockResponse handleGet(String path) {
            int q = path.indexOf('?');
            if (q < 0) {
                return super.handleGet(path);
            }
            String kept = Arrays.stream(path.substring(q + 1).split("&")).map(param -> {
                if (!param.startsWith("fieldSelector=")) {
                    return param;
                }
                String selector = URLDecoder.decode(param.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
                String rest = Arrays.stream(selector.split(",")).filter(req -> {
                    if (req.startsWith("spec.nodeName=")) {
                        seen.add(req.substring("spec.nodeName=".length()));
                        return false;
                    }
                    return true;
                }).collect(Collectors.joining(","));
                return rest.isEmpty() ? null : "fieldSelector=" + rest;
            }).filter(p -> p != null).collect(Collectors.joining("&"));
            return super.handleGet(path.substring(0, q) + (kept.isEmpty() ? "" : "?" + kept));
        }
    }
}
