package dev.podnet.k8s;

import dev.podnet.health.HealthChecker;
import dev.podnet.netns.Netns;
import dev.podnet.policy.Task;
import dev.podnet.policy.TaskMetrics;
import dev.podnet.policy.TaskRun;
import dev.podnet.probe.FlowWatch;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.NetnsLabeler;
import dev.podnet.probe.Sample;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Attribution without Kubernetes: per-namespace series keep empty {@code namespace} and {@code pod}
 * labels, and the config's tasks apply to the named network namespaces (ip netns) their patterns match,
 * each one standing for a pod named like it. Its addresses are the ones health checks go to.
 */
public final class HostTaskAttribution implements NetnsLabeler {
    private final Function<List<Netns>, AddressIndex> addresses;
    private final HealthChecker checker;
    private volatile List<Task> tasks;
    private volatile Netns host;

    public HostTaskAttribution(List<Task> tasks, Function<List<Netns>, AddressIndex> addresses, HealthChecker checker) {
        this.tasks = List.copyOf(tasks);
        this.addresses = addresses;
        this.checker = checker;
    }

    /** Takes effect from the next collection. */
    public void setTasks(List<Task> tasks) {
        this.tasks = List.copyOf(tasks);
    }

    public List<Task> tasks() {
        return tasks;
    }

    /** The node's own network namespace as the last collection found it. */
    public Netns host() {
        return host;
    }

    @Override
    public List<String> labelNames() {
        return HOST_MODE.labelNames();
    }

    @Override
    public String[] labelValues(long inode) {
        return HOST_MODE.labelValues(inode);
    }

    @Override
    public NetnsLabeler forCollection(List<Netns> namespaces) {
        namespaces.stream().filter(Netns::host).findFirst().ifPresent(n -> host = n);
        List<Task> current = tasks;
        List<Netns> named = namespaces.stream().filter(n -> !n.host() && n.mount() != null).toList(); // ip netns ones
        AddressIndex index = current.isEmpty() || named.isEmpty() ? AddressIndex.EMPTY : addresses.apply(named);
        List<TaskMetrics.NodePod> pods = new ArrayList<>();
        for (Netns n : named) {
            List<InetAddress> ips = new ArrayList<>(index.addressesOf(n.inode()));
            // IPv4 first, then by address, so "the pod's first address of a family" is stable
            ips.sort(Comparator.comparing((InetAddress a) -> !(a instanceof Inet4Address))
                    .thenComparing(InetAddress::getHostAddress));
            pods.add(new TaskMetrics.NodePod("", n.name(), Map.of(), n.inode(), ips));
        }
        TaskRun run = TaskRun.start(current, pods, "", checker);
        return new Frozen(run);
    }

    /** One collection's view: empty pod labels, and the tasks of that collection. */
    private record Frozen(TaskRun run) implements NetnsLabeler {
        @Override
        public List<String> labelNames() {
            return HOST_MODE.labelNames();
        }

        @Override
        public String[] labelValues(long inode) {
            return HOST_MODE.labelValues(inode);
        }

        @Override
        public List<FlowWatch> flowWatches() {
            return run.flowWatches();
        }

        @Override
        public void derive(List<Sample> collected, MetricSink out) {
            run.derive(collected, out);
        }
    }
}
