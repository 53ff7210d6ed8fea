package dev.podnet.k8s;

import dev.podnet.policy.MonitorPolicy;
import dev.podnet.policy.TaskSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Every MonitorPolicy of the cluster, kept current by a fabric8 informer, and the tasks they make on
 * this node. A cluster without the CRD (or without the RBAC to read it) has no policies: the informer
 * keeps trying with backoff and podnet runs without tasks meanwhile, which the log says once.
 */
public final class PolicyIndex implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PolicyIndex.class.getName());

    private final SharedIndexInformer<MonitorPolicy> informer;
    private volatile String lastError;
    private volatile Map<String, String> lastRefused = Map.of();

    /** Starts watching; returns at once. */
    public PolicyIndex(KubernetesClient client) {
        this.informer = client.resources(MonitorPolicy.class).inAnyNamespace().runnableInformer(0);
        informer.exceptionHandler((started, error) -> {
            String message = String.valueOf(error);
            if (!message.equals(lastError)) {
                lastError = message;
                LOG.warning("MonitorPolicy watch " + (started ? "lost" : "not established") + ": " + message
                        + " (is the CRD monitorpolicies.podnet.dev installed?); retrying with backoff");
            }
            return true;
        });
        informer.start();
    }

    /** The tasks in force now, at most {@code maxTasks}; refused policies are logged once per change. */
    public TaskSet tasks(int maxTasks) {
        List<MonitorPolicy> policies = informer.getStore().list();
        TaskSet set = TaskSet.of(policies, maxTasks);
        if (!Objects.equals(set.refused(), lastRefused)) {
            set.refused().forEach((task, reason) -> {
                if (!reason.equals(lastRefused.get(task))) {
                    LOG.warning("refused: " + reason);
                }
            });
            lastRefused = set.refused();
        }
        return set;
    }

    @Override
    public void close() {
        informer.close();
    }
}
