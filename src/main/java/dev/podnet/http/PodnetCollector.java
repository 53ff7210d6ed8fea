package dev.podnet.http;

import dev.podnet.probe.CollectionEngine;
import dev.podnet.probe.SnapshotAssembler;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Collects at scrape time, but at most once per minimum interval: several scrapers (two Prometheus
 * replicas, a curl) share one collection instead of multiplying the work on the node. Concurrent scrapes
 * wait for the collection in progress rather than starting their own.
 */
public final class PodnetCollector implements MultiCollector {
    private final CollectionEngine engine;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Duration minInterval;
    private volatile MetricSnapshots cached;
    private volatile long cachedAtNanos;
    private volatile CollectionEngine.Collection lastCollection;

    public PodnetCollector(CollectionEngine engine, Duration minInterval) {
        this.engine = engine;
        this.minInterval = minInterval;
    }

    public void setMinInterval(Duration minInterval) {
        this.minInterval = minInterval;
    }

    @Override
    public MetricSnapshots collect() {
        lock.lock();
        try {
            if (cached != null && System.nanoTime() - cachedAtNanos < minInterval.toNanos()) {
                return cached;
            }
            // Let the old snapshots go before the new ones are built: at most one set is on the heap,
            // and the heap is what the agent's memory is mostly made of.
            cached = null;
            CollectionEngine.Collection collection = engine.collect();
            lastCollection = collection;
            cached = SnapshotAssembler.assemble(collection.samples());
            cachedAtNanos = System.nanoTime();
            return cached;
        } finally {
            lock.unlock();
        }
    }

    /** The last collection, for /status; null before the first scrape. */
    public CollectionEngine.Collection lastCollection() {
        return lastCollection;
    }
}
