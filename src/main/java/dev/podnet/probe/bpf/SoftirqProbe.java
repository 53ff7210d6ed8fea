package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import dev.podnet.bpf.BpfObject;
import dev.podnet.probe.EventTypes;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.NodeView;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.probe.ProbeUnavailableException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Node-wide latency of the network softirqs (irq:softirq_raise / softirq_entry / softirq_exit), the
 * kernel's deferred packet work: NET_RX (receive, NAPI polling) and NET_TX (completions, qdisc runs).
 * {@code phase="wait"} is from raise to the start of the run on the same CPU: long waits mean the CPU
 * was busy with other interrupts or the work was pushed to ksoftirqd and waited for the scheduler.
 * {@code phase="run"} is one run of the handler. Softirqs belong to CPUs, not to namespaces, so the
 * series carry no namespace labels. Each phase times about one softirq in {@code sampleEvery}
 * ({@link Sampling}), {@value #DEFAULT_SAMPLE_EVERY} unless set, so the histograms count sampled
 * softirqs and the sampling ratio is exported beside them. Its programs are attached in windows of
 * time, {@link AttachWindow#PER_PACKET_DEFAULT} unless set.
 *
 * <p>Event {@code SOFTIRQ_SLOW}: a timed softirq that waited or ran longer than {@code eventThreshold}
 * (10 ms unless set), with its type, phase and CPU. Only timed softirqs are checked, so a slow one makes
 * an event with the probability that it is timed: the share of time attached times 1 / {@code sampleEvery}.
 */
public final class SoftirqProbe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("softirq", ProbeSource.BPF, Overhead.MEDIUM, true, false, true,
            "Network softirq (NET_RX, NET_TX) wait and run latency, node-wide (tracepoints irq:softirq_*)");
    static final String METRIC = "podnet_softirq_latency_seconds";
    /** Keeps the probe's cost on a busy node small (see BENCHMARKS.md). */
    static final int DEFAULT_SAMPLE_EVERY = 16;
    static final String SAMPLE_RATIO_METRIC = "podnet_softirq_latency_sample_ratio";
    private static final String HELP = "Network softirq latency: wait (raised until it starts running on that CPU) "
            + "and run (one run of the handler), by softirq type. Sampled: one softirq in "
            + "probeSettings.softirq.sampleEvery (default " + DEFAULT_SAMPLE_EVERY + ") per phase, in windows of "
            + "time, so _count counts sampled softirqs; see " + SAMPLE_RATIO_METRIC + ".";
    private static final String UNIT = "softirq";
    private static final String MAP = "softirq_latency";
    /** Index in the map: type * 2 + phase, as in softirq.bpf.c. */
    private static final List<String> TYPES = List.of("net_tx", "net_rx");
    private static final List<String> PHASES = List.of("wait", "run");

    private static final Set<String> OWN_SETTINGS = ownSettings();
    private static final List<String> EVENT_TYPES = List.of(EventTypes.SOFTIRQ_SLOW);

    private volatile AttachedObject attached;
    private volatile KernelEventReader events;
    private volatile Duration threshold = KernelEventConfig.DEFAULT_THRESHOLD;
    private volatile Sampling sampling = new Sampling(DEFAULT_SAMPLE_EVERY);
    /** The share of time attached: 1 with {@code window: none}. */
    private volatile double attachedFraction = AttachWindow.PER_PACKET_DEFAULT.fraction();

    private static final List<TracepointHooks.Hook> HOOKS = List.of(
            new TracepointHooks.Hook("on_softirq_raise", "irq/softirq_raise"),
            new TracepointHooks.Hook("on_softirq_entry", "irq/softirq_entry"),
            new TracepointHooks.Hook("on_softirq_exit", "irq/softirq_exit"));

    private static Set<String> ownSettings() {
        Set<String> keys = new HashSet<>(Set.of(Sampling.SETTING, AttachWindow.SETTING));
        keys.addAll(KernelEventConfig.settings(true));
        return Set.copyOf(keys);
    }

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void checkSettings(Map<String, Object> settings) {
        TracepointHooks.check(INFO.name(), HOOKS, settings, OWN_SETTINGS);
        Sampling.of(INFO.name(), settings, DEFAULT_SAMPLE_EVERY, UNIT);
        AttachWindow.of(INFO.name(), settings, AttachWindow.PER_PACKET_DEFAULT);
        KernelEventConfig.check(INFO.name(), settings, true);
    }

    @Override
    public void start(ProbeContext context) throws ProbeUnavailableException {
        Map<String, Object> settings = context.settings();
        checkSettings(settings);
        Sampling configured = Sampling.of(INFO.name(), settings, DEFAULT_SAMPLE_EVERY, UNIT);
        AttachWindow window = AttachWindow.of(INFO.name(), settings, AttachWindow.PER_PACKET_DEFAULT);
        KernelEventConfig eventConfig = KernelEventConfig.of(INFO.name(), settings, EVENT_TYPES, true, context.events());
        AttachedObject loaded = RawTracepointObject.load(INFO.name(), "softirq.bpf.o", HOOKS, settings, OWN_SETTINGS,
                opened -> {
                    configured.applyTo(opened);
                    eventConfig.applyTo(opened);
                }, window, SoftirqProbe::resetState);
        if (eventConfig.any()) {
            try {
                events = KernelEventReader.start(INFO.name(), loaded.object(), context.events(), this::event);
            } catch (BpfException | RuntimeException e) {
                loaded.close();
                throw new ProbeUnavailableException("event ring buffer: " + e.getMessage(), e);
            }
        }
        attached = loaded;
        threshold = eventConfig.threshold();
        sampling = configured;
        attachedFraction = window == null ? 1 : window.fraction();
    }

    private ProbeEvent event(KernelEventRecord r) {
        String type = r.reason() < TYPES.size() ? TYPES.get((int) r.reason()) : "unknown";
        String phase = r.phase() < PHASES.size() ? PHASES.get(r.phase()) : "unknown";
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("softirq", type);
        fields.put("phase", phase);
        fields.put("latency_seconds", KernelEventFields.seconds(r.value()));
        fields.put("cpu", r.cpu());
        String what = phase.equals("wait") ? "waited " : "ran ";
        return new ProbeEvent(EventTypes.SOFTIRQ_SLOW, INFO.name(), 0, fields,
                type.toUpperCase(Locale.ROOT) + " softirq on CPU " + r.cpu() + " " + what
                        + KernelEventFields.duration(r.value()) + ", over the threshold of " + KernelEventConfig.describe(threshold));
    }

    /** Between two windows: a raise or entry seen in the last one must not pair with this one's events. */
    private static void resetState(BpfObject object) throws BpfException {
        BpfMap times = object.map("softirq_times");
        for (int type = 0; type < TYPES.size(); type++) {
            times.update(ByteBuffer.allocate(4).order(BpfMap.order()).putInt(0, type).array(),
                    new byte[times.valueBufferSize()]);
        }
    }

    @Override
    public void collectNode(NodeView node, MetricSink out) throws BpfException {
        AttachedObject running = attached;
        if (running == null) {
            return;
        }
        out.gauge(SAMPLE_RATIO_METRIC, "Share of network softirqs that podnet_softirq_latency_seconds observes in "
                + "each phase: 1 / probeSettings.softirq.sampleEvery, times the share of time attached "
                + "(probeSettings.softirq.window, 1 s in every 8 s by default). Divide its _count by this to "
                + "estimate softirqs.",
                sampling.ratio() * attachedFraction);
        BpfMap map = running.object().map(MAP);
        int fields = map.valueSize() / Long.BYTES;
        for (int type = 0; type < TYPES.size(); type++) {
            for (int phase = 0; phase < PHASES.size(); phase++) {
                int index = type * PHASES.size() + phase;
                byte[] value = map.lookup(ByteBuffer.allocate(4).order(BpfMap.order()).putInt(0, index).array());
                if (value == null) {
                    throw new BpfException(map + ": no entry " + index + " in a per-CPU array of " + map.maxEntries());
                }
                long[] slots = new long[fields - 1];
                for (int slot = 0; slot < slots.length; slot++) {
                    slots[slot] = map.sumLong(value, slot * Long.BYTES);
                }
                long sumNs = map.sumLong(value, (fields - 1) * Long.BYTES);
                out.histogram(METRIC, HELP, LatencyHistograms.fromNanosecondSlots(slots, sumNs),
                        "type", TYPES.get(type), "phase", PHASES.get(phase));
            }
        }
        KernelEventReader reader = events;
        if (reader != null) {
            reader.export(out);
        }
        running.checkWindows();
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
