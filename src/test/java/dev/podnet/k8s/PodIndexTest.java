package dev.podnet.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.MockCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The informer against fabric8's mock API server in CRUD mode. */
class PodIndexTest {

    @Test
    void followsThePodsOfItsNodeAndKeepsThemWhenTheApiServerGoesAway() throws Exception {
        try (MockCluster cluster = new MockCluster();
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(Config.fromKubeconfig(null, cluster.kubeconfig().toFile())).build()) {
            cluster.runPod("shop", "web", "node-a", false, List.of("10.244.1.7", "fd00:244::7"),
                    Map.of("app", "web"));
            cluster.runPod("kube-system", "elsewhere", "node-b", false, List.of("10.244.2.7"), Map.of());
            try (PodIndex index = new PodIndex(client, "node-a")) {
                await(index::connected, "watch established");
                assertEquals(List.of("node-a"), cluster.nodeSelectors().stream().distinct().toList(),
                        "lists and watches with fieldSelector spec.nodeName=node-a");
                PodRecord web = only(index.get());
                assertEquals("shop/web", web.namespace() + "/" + web.name());
                assertEquals(List.of(InetAddress.ofLiteral("10.244.1.7"), InetAddress.ofLiteral("fd00:244::7")), web.ips());
                assertEquals(Map.of("app", "web"), web.labels());
                assertFalse(web.hostNetwork());
                assertFalse(web.uid().isEmpty());

                cluster.runPod("monitoring", "exporter", "node-a", true, List.of("192.0.2.10"), Map.of());
                await(() -> index.get().size() == 2, "the new hostNetwork pod arrives by the watch");
                assertTrue(index.get().stream().anyMatch(p -> p.name().equals("exporter") && p.hostNetwork()));

                cluster.deletePod("shop", "web");
                await(() -> index.get().size() == 1, "the deleted pod leaves the cache");

                cluster.stopServer();
                await(() -> !index.connected(), "the watch notices the API server is gone");
                assertEquals("exporter", only(index.get()).name(), "the last known pods are kept");

                // The API server returns on the same address. The mock starts with an empty store and no
                // history, so it is given the pod the cluster still holds plus one created meanwhile.
                try (MockCluster comeback = new MockCluster(cluster.port())) {
                    comeback.runPod("monitoring", "exporter", "node-a", true, List.of("192.0.2.10"), Map.of());
                    comeback.runPod("shop", "restored", "node-a", false, List.of("10.244.1.9"), Map.of());
                    await(index::connected, "the informer reconnects on its own");
                    await(() -> index.get().stream().map(PodRecord::name).sorted().toList().equals(List.of("exporter", "restored")),
                            "pods created while podnet was cut off arrive after the reconnect");
                }
            }
        }
    }

    @Test
    void keepsTryingWhenTheApiServerIsNotThereAtStart() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // free once closed: nothing listens there yet
        }
        // no HTTP-level retries, so the first list fails outright instead of being retried inside the client
        Config config = new ConfigBuilder().withMasterUrl("http://localhost:" + port).withRequestRetryBackoffLimit(0).build();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
             PodIndex index = new PodIndex(client, "node-a")) {
            Thread.sleep(1500); // let the first list fail (the informer's default would be to give up)
            assertFalse(index.connected());
            assertEquals(List.of(), index.get());
            try (MockCluster cluster = new MockCluster(port)) {
                cluster.runPod("shop", "web", "node-a", false, List.of("10.244.1.7"), Map.of());
                await(() -> index.connected() && index.get().size() == 1, "the informer lists and watches once the API server is up");
            }
        }
    }

    private static PodRecord only(List<PodRecord> pods) {
        assertEquals(1, pods.size(), "pods: " + pods);
        return pods.getFirst();
    }

    /** Polls until the condition holds; fails (with what was awaited) after a minute. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }
}
