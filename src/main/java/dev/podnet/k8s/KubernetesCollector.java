package dev.podnet.k8s;

import dev.podnet.config.PodnetConfig.PodLabel;
import dev.podnet.http.SnapshotAssembler;
import dev.podnet.probe.SampleBuffer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code podnet_kubernetes_up} and {@code podnet_pod_info}, independent of the probes. Registered after
 * the probes' collector, so a scrape lists the pods of the attribution that scrape's series carry.
 */
public final class KubernetesCollector implements MultiCollector {
    private final Supplier<AttributionSnapshot> attribution;
    private final BooleanSupplier connected;
    private final String nodeName;

    public KubernetesCollector(Supplier<AttributionSnapshot> attribution, BooleanSupplier connected, String nodeName) {
        this.attribution = attribution;
        this.connected = connected;
        this.nodeName = nodeName;
    }

    @Override
    public MetricSnapshots collect() {
        SampleBuffer out = new SampleBuffer(new String[0], inode -> new String[0]);
        out.gauge("podnet_kubernetes_up",
                "Whether the pod watch on the API server is established (1); at 0 podnet serves the last known attribution.",
                connected.getAsBoolean() ? 1 : 0);
        AttributionSnapshot snapshot = attribution.get();
        List<PodLabel> podLabels = snapshot.podLabels();
        for (AttributionSnapshot.PodRow row : snapshot.pods()) {
            PodRecord pod = row.pod();
            List<String> labels = new ArrayList<>(List.of("namespace", pod.namespace(), "pod", pod.name(),
                    "uid", pod.uid(), "netns", row.inode() > 0 ? Long.toString(row.inode()) : "",
                    "host_network", Boolean.toString(pod.hostNetwork()), "node", nodeName));
            List<String> values = AttributionSnapshot.podLabelValues(pod, podLabels);
            for (int i = 0; i < podLabels.size(); i++) {
                labels.add(podLabels.get(i).labelName());
                labels.add(values.get(i));
            }
            out.gauge("podnet_pod_info",
                    "Every pod on this node; netns is the inode of its own network namespace, empty for hostNetwork pods and pods not matched (yet).",
                    1, labels.toArray(String[]::new));
        }
        return SnapshotAssembler.assemble(out.samples());
    }
}
