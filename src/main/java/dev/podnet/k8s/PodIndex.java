package dev.podnet.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The pods scheduled on this node, kept current by a fabric8 informer (one list, then a watch). Readers
 * get the informer's cache: when the API server goes away the cache keeps the last known pods, and the
 * informer lists and watches again with exponential backoff (1 s doubling to 32 s) until it is back.
 */
public final class PodIndex implements Supplier<List<PodRecord>>, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PodIndex.class.getName());

    private final String nodeName;
    private final SharedIndexInformer<Pod> informer;
    private volatile String lastError;

    /** Starts watching; returns at once, the first list arrives in the background. */
    public PodIndex(KubernetesClient client, String nodeName) {
        this.nodeName = nodeName;
        this.informer = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).runnableInformer(0);
        // By default an informer gives up when its first list fails; podnet may well start before the
        // API server is reachable (or before RBAC is granted), so it keeps trying.
        informer.exceptionHandler((started, error) -> {
            String message = String.valueOf(error);
            if (!message.equals(lastError)) { // the same failure every backoff step is logged once
                lastError = message;
                LOG.warning("pod watch for node " + nodeName + (started ? " lost" : " not established") + ": "
                        + message + "; retrying with backoff, serving the last known pods meanwhile");
            }
            return true;
        });
        informer.start();
    }

    /** The pods of this node as last seen; the field selector already filters, this also guards against a proxy that ignores it. */
    @Override
    public List<PodRecord> get() {
        List<PodRecord> pods = new ArrayList<>();
        for (Pod pod : informer.getStore().list()) {
            PodRecord record = PodRecord.from(pod);
            if (record.node().equals(nodeName)) {
                pods.add(record);
            }
        }
        return pods;
    }

    /** Whether the watch is established right now: the cache follows the API server. */
    public boolean connected() {
        boolean watching = informer.isWatching();
        if (watching) {
            lastError = null;
        }
        return watching;
    }

    public String nodeName() {
        return nodeName;
    }

    @Override
    public void close() {
        informer.close();
    }
}
