package dev.podnet.k8s;

import static dev.podnet.k8s.PodMatcherTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.config.PodnetConfig.PodLabel;
import dev.podnet.probe.SnapshotAssembler;
import dev.podnet.probe.SampleBuffer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AttributionSnapshotTest {

    @Test
    void describesEveryPodOfTheNodeWithTheNamespaceItWasMatchedTo() throws Exception {
        var web = new PodRecord("shop", "web", "u1", "n1", false, List.of(InetAddress.ofLiteral("10.0.0.1")),
                Map.of("app", "web"), false, T0);
        var agent = new PodRecord("kube-system", "agent", "u2", "n1", true, List.of(InetAddress.ofLiteral("192.0.2.1")),
                Map.of(), false, T0);
        var snapshot = AttributionSnapshot.of("n1", List.of(new PodLabel("app", "app")), List.of(web, agent),
                Map.of("u1", 4026532000L));

        SampleBuffer out = new SampleBuffer(new String[0], inode -> new String[0]);
        snapshot.describe(out);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(text, SnapshotAssembler.assemble(out.samples()));
        assertEquals(Set.of(
                "podnet_pod_info{app=\"web\",host_network=\"false\",namespace=\"shop\",netns=\"4026532000\",node=\"n1\",pod=\"web\",uid=\"u1\"} 1",
                "podnet_pod_info{app=\"\",host_network=\"true\",namespace=\"kube-system\",netns=\"\",node=\"n1\",pod=\"agent\",uid=\"u2\"} 1"),
                text.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).collect(Collectors.toSet()));
        assertEquals(List.of("shop", "web", "web"), List.of(snapshot.labelValues(4026532000L)),
                "the labels its series carry name the same pod");
    }
}
