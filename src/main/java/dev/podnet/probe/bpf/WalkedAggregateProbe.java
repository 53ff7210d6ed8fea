package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import dev.podnet.bpf.BpfObject;
import dev.podnet.bpf.MapKeyWalk;
import dev.podnet.netns.Netns;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.NodeView;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeUnavailableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@link KernelAggregateProbe}'s contract (same abstract methods, same metrics: map fill, refused
 * inserts, sweeping of gone namespaces), reading the maps through {@link MapKeyWalk} because
 * {@code BpfMap.entries()} fails as of this writing (see MapKeyWalk). Once that is fixed, subclasses
 * switch to {@code extends KernelAggregateProbe} unchanged and this class goes.
 */
abstract class WalkedAggregateProbe implements Probe {
    private static final String INSERT_FAILURES = "insert_failures";

    private final StaleNetnsSweeper sweeper = new StaleNetnsSweeper();
    /** Collections read the object's maps under the read lock; close takes the write lock. */
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private BpfObject object;

    protected abstract String objectFile();

    protected abstract List<TracepointHooks.Hook> hooks();

    protected abstract List<String> aggregateMaps();

    protected List<String> otherMaps() {
        return List.of();
    }

    protected abstract void export(AggregateSnapshot snapshot, MetricSink out) throws BpfException;

    @Override
    public final void start(ProbeContext context) throws ProbeUnavailableException {
        BpfObject loaded = RawTracepointObject.load(info().name(), objectFile(), hooks(), context.settings());
        lifecycle.writeLock().lock();
        try {
            object = loaded;
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public final void collectNode(NodeView node, MetricSink out) throws Exception {
        lifecycle.readLock().lock();
        try {
            if (object == null) {
                return;
            }
            Map<String, BpfMap> maps = new LinkedHashMap<>();
            Map<String, List<BpfMap.Entry>> entries = new LinkedHashMap<>();
            for (String name : aggregateMaps()) {
                BpfMap map = object.map(name);
                maps.put(name, map);
                entries.put(name, MapKeyWalk.entries(map));
            }
            export(new AggregateSnapshot(maps, entries), out);
            reportFill(maps, entries, out);
            sweep(maps, entries, node);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void reportFill(Map<String, BpfMap> maps, Map<String, List<BpfMap.Entry>> entries, MetricSink out)
            throws BpfException {
        String probe = info().name();
        BpfMap failures = object.map(INSERT_FAILURES);
        int index = 0;
        for (Map.Entry<String, BpfMap> e : maps.entrySet()) {
            fill(out, probe, e.getValue(), entries.get(e.getKey()).size());
            byte[] value = failures.lookup(ByteBuffer.allocate(4).order(BpfMap.order()).putInt(0, index++).array());
            out.counter("podnet_bpf_map_insert_failures_total",
                    "New keys a podnet BPF map refused because it was full; their events were not counted.",
                    value == null ? 0 : failures.sumLong(value, 0), "probe", probe, "map", e.getKey());
        }
        for (String name : otherMaps()) {
            BpfMap map = object.map(name);
            fill(out, probe, map, MapKeyWalk.keys(map).size());
        }
    }

    private static void fill(MetricSink out, String probe, BpfMap map, int entries) throws BpfException {
        out.gauge("podnet_bpf_map_entries", "Entries in a podnet BPF map now.", entries, "probe", probe, "map", map.name());
        out.gauge("podnet_bpf_map_max_entries", "Capacity of a podnet BPF map.", map.maxEntries(), "probe", probe,
                "map", map.name());
    }

    private record MapKey(BpfMap map, byte[] key) {
    }

    private void sweep(Map<String, BpfMap> maps, Map<String, List<BpfMap.Entry>> entries, NodeView node)
            throws BpfException {
        Set<Long> alive = new HashSet<>();
        for (Netns netns : node.namespaces()) {
            alive.add(netns.inode());
        }
        List<MapKey> keys = new ArrayList<>();
        for (Map.Entry<String, BpfMap> e : maps.entrySet()) {
            for (BpfMap.Entry entry : entries.get(e.getKey())) {
                keys.add(new MapKey(e.getValue(), entry.key()));
            }
        }
        for (MapKey stale : sweeper.stale(keys, k -> NetnsAggregates.Key.decode(k.key()).netns(), alive)) {
            stale.map().delete(stale.key());
        }
    }

    /** The sink for a namespace's series; inode 0 (not known) goes to the node, without namespace labels. */
    protected static MetricSink sinkFor(MetricSink out, long netns) {
        return netns == 0 ? out : out.forNetns(netns);
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (object != null) {
                object.close();
                object = null;
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
