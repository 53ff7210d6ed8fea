package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import dev.podnet.bpf.BpfObject;
import dev.podnet.netns.Netns;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.NodeView;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.probe.ProbeUnavailableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A probe made of one BPF object whose programs sit on raw tracepoints and aggregate in the kernel, in
 * maps keyed by network namespace (podnet.h). Each probe has its own object, so one probe's missing
 * tracepoint or rejected program leaves the others running.
 *
 * <p>Raw tracepoints, not classic ones: they need no tracefs (often unmounted, and absent from many
 * containers), and they hand the program the tracepoint's own arguments (the socket, the skb), whose
 * order is far more stable across kernels than the classic format's field layout. Programs in
 * {@code tp_btf/} sections (BTF-typed raw tracepoints) are attached the same way, see
 * {@link RawTracepointObject#openAndAttach}.
 *
 * <p>At each collection the aggregate maps are read once: the subclass exports them, the map fill
 * ({@code podnet_bpf_map_entries} / {@code _max_entries}) and refused inserts are reported, and entries
 * of namespaces that are gone are deleted.
 *
 * <p>A probe that also makes events ({@link #eventTypes()}) sends them through its object's ring buffer
 * (events.h), read by a {@link KernelEventReader} when the config wants at least one of its types.
 */
public abstract class KernelAggregateProbe implements Probe {
    private static final String INSERT_FAILURES = "insert_failures";

    private final StaleNetnsSweeper sweeper = new StaleNetnsSweeper();
    private volatile AttachedObject attached;
    private volatile KernelEventReader events;

    /** The object's file under {@code bpf/} in the jar, e.g. {@code tcpretrans.bpf.o}. */
    protected abstract String objectFile();

    /** Programs and their default tracepoints. */
    protected abstract List<TracepointHooks.Hook> hooks();

    /** The maps keyed by struct netns_key, in the order of their insert_failures index in the C source. */
    protected abstract List<String> aggregateMaps();

    /** Other maps whose fill is worth reporting. */
    protected List<String> otherMaps() {
        return List.of();
    }

    /**
     * Checks what the probe needs beyond its object (BTF types, for instance) before loading it;
     * {@link #hooks()} is asked after this.
     */
    protected void prepare() throws ProbeUnavailableException, BpfException {
    }

    /** Settings of this probe besides {@code tracepoint} and {@code tracepoints}; none by default. */
    protected Set<String> ownSettings() {
        return Set.of();
    }

    /**
     * Checks the values of {@link #ownSettings()} without acquiring anything.
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    protected void checkOwnSettings(Map<String, Object> settings) {
    }

    /** Applies the (checked) settings to the opened object before it is loaded: its constants, say. */
    protected void beforeLoad(BpfObject opened, Map<String, Object> settings) throws BpfException {
    }

    /** The window used without a {@code window} setting, for probes that offer it; null: always attached. */
    protected AttachWindow defaultWindow() {
        return null;
    }

    /**
     * Clears the programs' state while they are detached between two windows, for probes that offer
     * {@link AttachWindow#SETTING} in {@link #ownSettings()}.
     */
    protected void resetState(BpfObject object) throws BpfException {
    }

    /**
     * The event types the probe makes, index = the kind in its C source (events.h); none by default. The
     * probe then takes {@code eventsPerSecond} (and {@code eventThreshold} with {@link #latencyEvents()}).
     */
    protected List<String> eventTypes() {
        return List.of();
    }

    /** Whether the probe's events are latencies over {@code eventThreshold}. */
    protected boolean latencyEvents() {
        return false;
    }

    /**
     * Prepares what {@link #event} needs, once the wanted types are known and before the object is loaded;
     * called only when at least one is wanted.
     */
    protected void prepareEvents(BpfObject opened, KernelEventConfig config, ProbeContext context)
            throws BpfException {
    }

    /** The event of one ring buffer record, or null to skip it. Runs on the reader thread; must not block. */
    protected ProbeEvent event(KernelEventRecord record) {
        return null;
    }

    /** Writes the probe's metrics from this collection's map contents. */
    protected abstract void export(AggregateSnapshot snapshot, MetricSink out) throws BpfException;

    private Set<String> allSettings() {
        if (eventTypes().isEmpty()) {
            return ownSettings();
        }
        Set<String> all = new HashSet<>(ownSettings());
        all.addAll(KernelEventConfig.settings(latencyEvents()));
        return all;
    }

    @Override
    public final void checkSettings(Map<String, Object> settings) {
        TracepointHooks.check(info().name(), hooks(), settings, allSettings());
        if (ownSettings().contains(AttachWindow.SETTING)) {
            AttachWindow.of(info().name(), settings, defaultWindow());
        }
        if (!eventTypes().isEmpty()) {
            KernelEventConfig.check(info().name(), settings, latencyEvents());
        }
        checkOwnSettings(settings);
    }

    @Override
    public final void start(ProbeContext context) throws ProbeUnavailableException {
        Map<String, Object> settings = context.settings();
        checkSettings(settings);
        RawTracepointObject.requireBtf();
        AttachWindow window = ownSettings().contains(AttachWindow.SETTING)
                ? AttachWindow.of(info().name(), settings, defaultWindow()) : null;
        try {
            prepare();
            List<TracepointHooks.Hook> hooks = TracepointHooks.resolve(info().name(), hooks(), settings);
            KernelEventConfig eventConfig = eventTypes().isEmpty() ? null
                    : KernelEventConfig.of(info().name(), settings, eventTypes(), latencyEvents(), context.events());
            attached = AttachedObject.start(info().name(), objectFile(), hooks, opened -> {
                if (eventConfig != null) {
                    eventConfig.applyTo(opened);
                    if (eventConfig.any()) {
                        prepareEvents(opened, eventConfig, context);
                    }
                }
                beforeLoad(opened, settings);
            }, window, this::resetState);
            if (eventConfig != null && eventConfig.any()) {
                startEvents(context);
            }
        } catch (BpfException e) {
            throw RawTracepointObject.unavailable(e);
        } catch (LinkageError e) {
            throw new ProbeUnavailableException("libbpf unusable: " + e.getMessage(), e);
        }
    }

    private void startEvents(ProbeContext context) throws BpfException {
        try {
            events = KernelEventReader.start(info().name(), attached.object(), context.events(), this::event);
        } catch (BpfException | RuntimeException e) {
            attached.close();
            attached = null;
            throw e;
        }
    }

    @Override
    public final void collectNode(NodeView node, MetricSink out) throws Exception {
        AttachedObject running = attached;
        if (running == null) {
            return;
        }
        BpfObject current = running.object();
        Map<String, BpfMap> maps = new LinkedHashMap<>();
        Map<String, List<BpfMap.Entry>> entries = new LinkedHashMap<>();
        for (String name : aggregateMaps()) {
            BpfMap map = current.map(name);
            maps.put(name, map);
            entries.put(name, map.entries());
        }
        export(new AggregateSnapshot(maps, entries), out);
        KernelEventReader reader = events;
        if (reader != null) {
            reader.export(out);
        }
        reportFill(current, maps, entries, out);
        sweep(maps, entries, node);
        running.checkWindows();
    }

    private void reportFill(BpfObject current, Map<String, BpfMap> maps, Map<String, List<BpfMap.Entry>> entries,
                            MetricSink out) throws BpfException {
        String probe = info().name();
        BpfMap failures = current.map(INSERT_FAILURES);
        int index = 0;
        for (Map.Entry<String, BpfMap> e : maps.entrySet()) {
            fill(out, probe, e.getValue(), entries.get(e.getKey()).size());
            byte[] value = failures.lookup(ByteBuffer.allocate(4).order(BpfMap.order()).putInt(0, index++).array());
            out.counter("podnet_bpf_map_insert_failures_total",
                    "New keys a podnet BPF map refused because it was full; their events were not counted.",
                    value == null ? 0 : failures.sumLong(value, 0), "probe", probe, "map", e.getKey());
        }
        for (String name : otherMaps()) {
            BpfMap map = current.map(name);
            fill(out, probe, map, map.keys().size());
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
        KernelEventReader reader = events;
        events = null;
        if (reader != null) {
            reader.close();
        }
        AttachedObject running = attached;
        attached = null;
        if (running != null) {
            running.close();
        }
    }
}
