package dev.podnet.k8s;

import dev.podnet.config.PodnetConfig.PodLabel;
import dev.podnet.netns.Netns;
import dev.podnet.health.HealthChecker;
import dev.podnet.policy.Task;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.NetnsLabeler;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Kubernetes labeler: once per collection it reads the addresses of every namespace, matches them
 * to the pods of this node from the informer's cache (never the API server, so a slow or absent API
 * server cannot slow a scrape), and hands the engine a frozen {@link AttributionSnapshot}.
 */
public final class PodAttribution implements NetnsLabeler {
    private static final Logger LOG = Logger.getLogger(PodAttribution.class.getName());

    private final String nodeName;
    private final Supplier<List<PodRecord>> pods;
    private final Function<List<Netns>, AddressIndex> addresses;
    private volatile List<PodLabel> podLabels;
    private volatile AttributionSnapshot latest;
    private volatile Supplier<List<Task>> tasks = List::of;
    private volatile String agentNamespace = "";
    private volatile HealthChecker checker;
    private volatile Netns host;

    /**
     * @param nodeName  this node
     * @param pods      the pods of this node as the informer last saw them
     * @param addresses reads the addresses of the namespaces of one collection
     */
    public PodAttribution(String nodeName, Supplier<List<PodRecord>> pods, Function<List<Netns>, AddressIndex> addresses,
                          List<PodLabel> podLabels) {
        this.nodeName = nodeName;
        this.pods = pods;
        this.addresses = addresses;
        this.podLabels = List.copyOf(podLabels);
        this.latest = AttributionSnapshot.of(nodeName, this.podLabels, List.of(), Map.of());
    }

    /**
     * The MonitorPolicy tasks each collection applies (read once per collection), and the agent's own
     * namespace, whose policies may select pods of every namespace; the checker (or null) runs their
     * health checks.
     */
    public void setTasks(Supplier<List<Task>> tasks, String agentNamespace, HealthChecker checker) {
        this.tasks = tasks;
        this.agentNamespace = agentNamespace;
        this.checker = checker;
    }

    /** The node's own network namespace as the last collection found it, or null before the first. */
    public Netns host() {
        return host;
    }

    /** Takes effect from the next collection. */
    public void setPodLabels(List<PodLabel> podLabels) {
        this.podLabels = List.copyOf(podLabels);
    }

    @Override
    public AttributionSnapshot forCollection(List<Netns> namespaces) {
        List<PodLabel> labels = podLabels;
        List<PodRecord> current;
        try {
            current = pods.get();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot read the pod cache; keeping the last attribution", e);
            current = latest.pods().stream().map(AttributionSnapshot.PodRow::pod).toList();
        }
        AddressIndex index = addresses.apply(namespaces);
        namespaces.stream().filter(Netns::host).findFirst().ifPresent(n -> host = n);
        List<Task> inForce;
        try {
            inForce = tasks.get();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot read the MonitorPolicy tasks; none this collection", e);
            inForce = List.of();
        }
        AttributionSnapshot snapshot = AttributionSnapshot.of(nodeName, labels, current, PodMatcher.match(current, index))
                .withTasks(inForce, agentNamespace, checker);
        latest = snapshot;
        return snapshot;
    }

    /** The attribution of the last collection. */
    public AttributionSnapshot latest() {
        return latest;
    }

    @Override
    public List<String> labelNames() {
        return latest.labelNames();
    }

    @Override
    public String[] labelValues(long inode) {
        return latest.labelValues(inode);
    }

    /** Used when a collection could not refresh the attribution: the pods of the last one, as its labels are. */
    @Override
    public void describe(MetricSink out) {
        latest.describe(out);
    }
}
