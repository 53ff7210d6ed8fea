package dev.podnet.k8s;

import static dev.podnet.k8s.PodMatcherTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.config.PodnetConfig.PodLabel;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KubernetesCollectorTest {

    @Test
    void listsEveryPodWithItsNamespaceAndReportsTheWatch() throws Exception {
        var web = new PodRecord("shop", "web", "u1", "n1", false, List.of(InetAddress.ofLiteral("10.0.0.1")),
                Map.of("app", "web"), false, T0);
        var agent = new PodRecord("kube-system", "agent", "u2", "n1", true, List.of(InetAddress.ofLiteral("192.0.2.1")),
                Map.of(), false, T0);
        var snapshot = AttributionSnapshot.of(List.of(new PodLabel("app", "app")), List.of(web, agent), Map.of("u1", 4026532000L));
        AtomicBoolean up = new AtomicBoolean(true);
        var collector = new KubernetesCollector(() -> snapshot, up::get, "n1");

        String text = render(collector);
        assertEquals(Set.of(
                "podnet_kubernetes_up 1.0",
                "podnet_pod_info{app=\"web\",host_network=\"false\",namespace=\"shop\",netns=\"4026532000\",node=\"n1\",pod=\"web\",uid=\"u1\"} 1",
                "podnet_pod_info{app=\"\",host_network=\"true\",namespace=\"kube-system\",netns=\"\",node=\"n1\",pod=\"agent\",uid=\"u2\"} 1"),
                text.lines().filter(l -> !l.startsWith("#")).collect(Collectors.toSet()));
        up.set(false);
        assertEquals("podnet_kubernetes_up 0.0", render(collector).lines().filter(l -> l.startsWith("podnet_kubernetes_up")).findFirst().orElseThrow());
    }

    private static String render(KubernetesCollector collector) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, collector.collect());
        return out.toString(StandardCharsets.UTF_8);
    }
}
