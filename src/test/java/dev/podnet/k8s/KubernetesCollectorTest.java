package dev.podnet.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import dev.podnet.policy.Task;
import dev.podnet.policy.TaskSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class KubernetesCollectorTest {

    @Test
    void reportsTheWatchAsItIsNow() throws Exception {
        AtomicBoolean up = new AtomicBoolean(true);
        var collector = new KubernetesCollector(up::get, () -> new TaskSet(List.of(), Map.of()));
        assertEquals(List.of("podnet_kubernetes_up 1.0"), values(collector));
        up.set(false);
        assertEquals(List.of("podnet_kubernetes_up 0.0"), values(collector));
    }

    @Test
    void reportsEachPolicyInForceAsValidAndEachRefusedOneAsNot() throws Exception {
        Task task = new Task("team-a/web", "team-a", null, List.of(), Map.of(), true, false, false, null,
                Task.FlowKey.SERVICE, Instant.EPOCH, null);
        var collector = new KubernetesCollector(() -> true,
                () -> new TaskSet(List.of(task), Map.of("team-b/bad", "MonitorPolicy team-b/bad: spec.flowKey: ...")));
        assertEquals(List.of("podnet_kubernetes_up 1.0", "podnet_monitor_policy_valid{task=\"team-a/web\"} 1.0",
                "podnet_monitor_policy_valid{task=\"team-b/bad\"} 0.0"), values(collector));
    }

    private static List<String> values(KubernetesCollector collector) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, collector.collect());
        return out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).toList();
    }
}
