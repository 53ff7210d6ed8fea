package dev.podnet.k8s;

import static dev.podnet.k8s.PodMatcherTest.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.config.PodnetConfig.PodLabel;
import dev.podnet.netns.Netns;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodAttributionTest {
    private final List<PodRecord> pods = new ArrayList<>();
    private boolean cacheBroken;
    private final PodAttribution attribution = new PodAttribution("node-a", () -> {
        if (cacheBroken) {
            throw new IllegalStateException("cache gone");
        }
        return List.copyOf(pods);
    },
            namespaces -> new AddressIndex.Builder().add(101L, List.of(InetAddress.ofLiteral("10.244.1.7")))
                    .add(102L, List.of(InetAddress.ofLiteral("10.244.1.8"))).build(),
            List.of(new PodLabel("app", "app"), new PodLabel("app.kubernetes.io/version", "app_kubernetes_io_version")));
    private final List<Netns> namespaces = List.of(new Netns(101L, "a", List.of(), null, false));

    private static PodRecord pod(String name, String ip, Map<String, String> labels) {
        return new PodRecord("shop", name, "uid-" + name, "node-a", false, List.of(InetAddress.ofLiteral(ip)), labels,
                false, T0);
    }

    @Test
    void attributedNamespaceCarriesPodAndItsLabelsOthersAreEmpty() {
        pods.add(pod("web", "10.244.1.7", Map.of("app", "web", "app.kubernetes.io/version", "1.2")));
        pods.add(pod("db", "10.244.1.8", Map.of("app", "db")));
        var snapshot = attribution.forCollection(namespaces);
        assertEquals(List.of("namespace", "pod", "app", "app_kubernetes_io_version"), snapshot.labelNames());
        assertArrayEquals(new String[] {"shop", "web", "web", "1.2"}, snapshot.labelValues(101L));
        assertArrayEquals(new String[] {"shop", "db", "db", ""}, snapshot.labelValues(102L), "a missing label is empty");
        assertArrayEquals(new String[] {"", "", "", ""}, snapshot.labelValues(999L));
        assertEquals(2, snapshot.attributedCount());
    }

    @Test
    void aSnapshotStaysAsItWasWhilePodsAndLabelsChange() {
        pods.add(pod("web", "10.244.1.7", Map.of("app", "web")));
        var first = attribution.forCollection(namespaces);
        pods.clear();
        attribution.setPodLabels(List.of(new PodLabel("tier", "tier")));
        assertArrayEquals(new String[] {"shop", "web", "web", ""}, first.labelValues(101L));

        var second = attribution.forCollection(namespaces);
        assertEquals(List.of("namespace", "pod", "tier"), second.labelNames());
        assertArrayEquals(new String[] {"", "", ""}, second.labelValues(101L), "pod deleted: labels revert to empty");
        assertEquals(second, attribution.latest());
    }

    @Test
    void anUnreadablePodCacheKeepsTheLastKnownPods() {
        pods.add(pod("web", "10.244.1.7", Map.of("app", "web")));
        attribution.forCollection(namespaces);
        pods.clear();
        cacheBroken = true;
        var snapshot = attribution.forCollection(namespaces);
        assertEquals(List.of("web"), snapshot.pods().stream().map(r -> r.pod().name()).toList());
        assertArrayEquals(new String[] {"shop", "web", "web", ""}, snapshot.labelValues(101L));
    }
}
