package dev.podnet.k8s;

import dev.podnet.probe.SnapshotAssembler;
import dev.podnet.policy.Task;
import dev.podnet.policy.TaskSet;
import dev.podnet.probe.SampleBuffer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code podnet_kubernetes_up}: the state of the pod watch now, and {@code podnet_monitor_policy_valid}:
 * 1 for each MonitorPolicy in force, 0 for each refused one (the reason is in the log and /status); independent of the probes and of any
 * collection. {@code podnet_pod_info} is not here: it belongs to the collection whose series carry the
 * pods, and comes with it ({@link AttributionSnapshot#describe}); the registry calls its collectors in no
 * particular order, so a collector of its own could list the pods of the previous collection.
 */
public final class KubernetesCollector implements MultiCollector {
    private static final String VALID_HELP =
            "1 for a MonitorPolicy in force, 0 for one refused (invalid, or over maxTasks; the reason is in /status).";
    private final BooleanSupplier connected;
    private final Supplier<TaskSet> tasks;

    public KubernetesCollector(BooleanSupplier connected, Supplier<TaskSet> tasks) {
        this.connected = connected;
        this.tasks = tasks;
    }

    @Override
    public MetricSnapshots collect() {
        SampleBuffer out = new SampleBuffer(new String[0], inode -> new String[0]);
        out.gauge("podnet_kubernetes_up",
                "Whether the pod watch on the API server is established (1); at 0 podnet serves the last known attribution.",
                connected.getAsBoolean() ? 1 : 0);
        TaskSet now = tasks.get();
        for (Task task : now.inForce()) {
            out.gauge("podnet_monitor_policy_valid", VALID_HELP, 1, "task", task.name());
        }
        for (String refused : now.refused().keySet()) {
            out.gauge("podnet_monitor_policy_valid", VALID_HELP, 0, "task", refused);
        }
        return SnapshotAssembler.assemble(out.samples());
    }
}
