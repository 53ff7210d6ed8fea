package dev.podnet.k8s;

import dev.podnet.http.SnapshotAssembler;
import dev.podnet.probe.SampleBuffer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.BooleanSupplier;

/**
 * {@code podnet_kubernetes_up}: the state of the pod watch now, independent of the probes and of any
 * collection. {@code podnet_pod_info} is not here: it belongs to the collection whose series carry the
 * pods, and comes with it ({@link AttributionSnapshot#describe}); the registry calls its collectors in no
 * particular order, so a collector of its own could list the pods of the previous collection.
 */
public final class KubernetesCollector implements MultiCollector {
    private final BooleanSupplier connected;

    public KubernetesCollector(BooleanSupplier connected) {
        this.connected = connected;
    }

    @Override
    public MetricSnapshots collect() {
        SampleBuffer out = new SampleBuffer(new String[0], inode -> new String[0]);
        out.gauge("podnet_kubernetes_up",
                "Whether the pod watch on the API server is established (1); at 0 podnet serves the last known attribution.",
                connected.getAsBoolean() ? 1 : 0);
        return SnapshotAssembler.assemble(out.samples());
    }
}
