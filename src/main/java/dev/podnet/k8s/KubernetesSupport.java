package dev.podnet.k8s;

import dev.podnet.config.PodnetConfig;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.health.CheckOrigin;
import dev.podnet.health.HealthChecker;
import dev.podnet.policy.HostTaskCompiler;
import dev.podnet.policy.PolicyException;
import dev.podnet.policy.Task;
import dev.podnet.policy.TaskSet;
import dev.podnet.probe.NetnsLabeler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Everything the agent needs from Kubernetes, behind one object: decides whether to use the API server,
 * starts the pod index and the MonitorPolicy index, provides the labeler for the engine (whose snapshots
 * also write each collection's {@code podnet_pod_info}), the tasks in force and the collector of
 * {@code podnet_kubernetes_up} and {@code podnet_monitor_policy_valid}, and applies {@code podLabels} and
 * {@code maxTasks} on reload. In host mode it does nothing and labels stay empty.
 */
public final class KubernetesSupport implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KubernetesSupport.class.getName());

    private final PodnetConfig startup;
    private final KubernetesClient client;
    private final PodIndex index;
    private final PodAttribution attribution;
    private final PolicyIndex policies;
    private final HealthChecker checker;
    private final HostTaskAttribution hostTasks;
    private volatile int maxTasks;

    private KubernetesSupport(PodnetConfig startup, KubernetesClient client, PodIndex index, PodAttribution attribution,
                              PolicyIndex policies, HealthChecker checker, HostTaskAttribution hostTasks) {
        this.startup = startup;
        this.client = client;
        this.index = index;
        this.attribution = attribution;
        this.policies = policies;
        this.checker = checker;
        this.hostTasks = hostTasks;
        this.maxTasks = startup.maxTasks();
    }

    /**
     * Starts the pod index when the config and the environment call for it and registers its collector.
     * Never blocks on the API server.
     */
    public static KubernetesSupport start(PodnetConfig config, NetnsEnterer enterer, PrometheusRegistry registry) {
        ClusterAccess.Decision decision = ClusterAccess.decide(config, System.getenv(),
                Path.of(System.getProperty("user.home", "/root")), ClusterAccess.SERVICE_ACCOUNT_TOKEN);
        if (!decision.enabled()) {
            LOG.info("Kubernetes attribution off: " + decision.reason());
            HostTaskAttribution[] hostTasks = new HostTaskAttribution[1];
            HealthChecker checker = new HealthChecker(CheckOrigin.following(enterer, () -> hostTasks[0].host()));
            hostTasks[0] = new HostTaskAttribution(hostTasks(config), new NetnsAddressReader(config.procfs(), enterer), checker);
            return new KubernetesSupport(config, null, null, null, null, checker, hostTasks[0]);
        }
        String node = ClusterAccess.nodeName(config, System.getenv(), Path.of("/proc/sys/kernel/hostname"));
        KubernetesClient client = ClusterAccess.client(config);
        PodIndex index;
        PolicyIndex policies;
        try {
            index = new PodIndex(client, node);
            policies = new PolicyIndex(client);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        PodAttribution attribution = new PodAttribution(node, index, new NetnsAddressReader(config.procfs(), enterer),
                config.podLabels());
        LOG.info("Kubernetes attribution on (" + decision.reason() + "): watching the pods of node " + node + " at "
                + client.getMasterUrl());
        // Checks come from the node's own namespace, as kubelet's probes do, also when the agent has its own.
        HealthChecker checker = new HealthChecker(CheckOrigin.following(enterer, attribution::host));
        KubernetesSupport support = new KubernetesSupport(config, client, index, attribution, policies, checker, null);
        attribution.setTasks(() -> support.tasks().inForce(), agentNamespace(System.getenv()), support.checker);
        registry.register(new KubernetesCollector(index::connected, support::tasks));
        return support;
    }

    /** The agent's own namespace (env {@code POD_NAMESPACE}, set by the chart), else {@code podnet}. */
    static String agentNamespace(Map<String, String> env) {
        String ns = env.get("POD_NAMESPACE");
        return ns == null || ns.isBlank() ? "podnet" : ns;
    }

    /** The tasks in force now (MonitorPolicies, or the config's in host mode), and the refused ones. */
    public TaskSet tasks() {
        if (policies != null) {
            return policies.tasks(maxTasks);
        }
        return hostTasks == null ? new TaskSet(List.of(), Map.of()) : new TaskSet(hostTasks.tasks(), Map.of());
    }

    /** The config's tasks, the first maxTasks of them; the loader has checked each. */
    private static List<Task> hostTasks(PodnetConfig config) {
        try {
            List<Task> all = HostTaskCompiler.compileAll(config.tasks());
            return all.subList(0, Math.min(config.maxTasks(), all.size()));
        } catch (PolicyException e) {
            throw new IllegalStateException("a config task the loader accepted does not compile: " + e.getMessage(), e);
        }
    }

    public boolean active() {
        return index != null;
    }

    /** The pods of this node as the informer sees them now; empty in host mode. */
    public List<PodRecord> pods() {
        return active() ? index.get() : List.of();
    }

    /** The labeler for the engine: pod attribution, or empty labels in host mode. */
    public NetnsLabeler labeler() {
        return active() ? attribution : hostTasks;
    }

    /** Applies a reloaded config: {@code podLabels} from the next collection; the rest needs a restart. */
    public void apply(PodnetConfig next) {
        if (active()) {
            attribution.setPodLabels(next.podLabels());
        }
        maxTasks = next.maxTasks();
        if (hostTasks != null) {
            hostTasks.setTasks(hostTasks(next));
        }
        if (next.kubernetes() != startup.kubernetes() || !Objects.equals(next.kubeconfig(), startup.kubeconfig())
                || !Objects.equals(next.nodeName(), startup.nodeName())) {
            LOG.warning("kubernetes, kubeconfig or nodeName changed; this takes effect on restart");
        }
    }

    @Override
    public void close() {
        if (checker != null) {
            checker.close();
        }
        if (index != null) {
            index.close();
        }
        if (policies != null) {
            policies.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
