package dev.podnet.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class KubernetesCollectorTest {

    @Test
    void reportsTheWatchAsItIsNow() throws Exception {
        AtomicBoolean up = new AtomicBoolean(true);
        var collector = new KubernetesCollector(up::get);
        assertEquals(List.of("podnet_kubernetes_up 1.0"), values(collector));
        up.set(false);
        assertEquals(List.of("podnet_kubernetes_up 0.0"), values(collector));
    }

    private static List<String> values(KubernetesCollector collector) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, collector.collect());
        return out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).toList();
    }
}
