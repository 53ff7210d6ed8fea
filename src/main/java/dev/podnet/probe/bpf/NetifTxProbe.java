package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import dev.podnet.bpf.BpfObject;
import dev.podnet.probe.EventTypes;
import dev.podnet.probe.HistogramData;
import dev.podnet.probe.HistogramScope;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Transmit latency of network devices (net:net_dev_queue, net_dev_start_xmit, net_dev_xmit):
 * {@code phase="qdisc"} from dev_queue_xmit to the driver (queueing discipline, segmentation, requeues),
 * {@code phase="xmit"} the driver's transmit call. The kernel aggregates by the transmitting device's
 * namespace; the histograms are node-wide unless {@code perPodHistograms: true} ({@link HistogramScope}),
 * which gives each namespace its own. Its programs run for every packet, so
 * each phase times about one packet in {@code sampleEvery} ({@link Sampling}), {@value #DEFAULT_SAMPLE_EVERY}
 * unless set, and they are attached in windows of time ({@link AttachWindow#PER_PACKET_DEFAULT} unless set):
 * the histograms count sampled packets and the sampling ratio is exported beside them.
 *
 * <p>Event {@code TX_LATENCY_SLOW}: a timed packet whose phase took longer than {@code eventThreshold}
 * (10 ms unless set), with the device, the phase, the CPU and, for the qdisc phase, the packet's tuple
 * (source first). Only timed packets are checked, so a slow packet makes an event with the probability
 * that it is timed: the share of time attached times 1 / {@code sampleEvery}.
 */
public final class NetifTxProbe extends KernelAggregateProbe {
    private static final ProbeInfo INFO = new ProbeInfo("netiftx", ProbeSource.BPF, Overhead.MEDIUM, true, false, true,
            "Device transmit latency, qdisc and driver phases, node-wide or per pod (tracepoints net:net_dev_queue, "
                    + "net_dev_start_xmit, net_dev_xmit; runs per packet)");
    static final String METRIC = "podnet_netif_tx_latency_seconds";
    private static final String MAP = "tx_latency";
    private static final List<String> PHASES = List.of("qdisc", "xmit");
    private static final int PHASE_MASK = 0xff;
    /** Keeps the probe's cost on a fast stream within podnet's target of at most 3 % (see BENCHMARKS.md). */
    static final int DEFAULT_SAMPLE_EVERY = 16;
    private static final String UNIT = "packet";
    static final String SAMPLE_RATIO_METRIC = "podnet_netif_tx_latency_sample_ratio";

    private static final List<String> EVENT_TYPES = List.of(EventTypes.TX_LATENCY_SLOW);

    private volatile Sampling sampling = new Sampling(DEFAULT_SAMPLE_EVERY);
    private volatile Duration threshold = KernelEventConfig.DEFAULT_THRESHOLD;
    private volatile HistogramScope scope = HistogramScope.of(INFO.name(), Map.of());
    /** The share of time attached: 1 with {@code window: none}. */
    private volatile double attachedFraction = AttachWindow.PER_PACKET_DEFAULT.fraction();

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    protected String objectFile() {
        return "netiftx.bpf.o";
    }

    /** The end of a driver call is attached before its start, so no start is ever seen without its end. */
    @Override
    protected List<TracepointHooks.Hook> hooks() {
        return List.of(
                new TracepointHooks.Hook("on_net_dev_xmit", "net/net_dev_xmit"),
                new TracepointHooks.Hook("on_net_dev_queue", "net/net_dev_queue"),
                new TracepointHooks.Hook("on_net_dev_start_xmit", "net/net_dev_start_xmit"));
    }

    @Override
    protected AttachWindow defaultWindow() {
        return AttachWindow.PER_PACKET_DEFAULT;
    }

    @Override
    protected Set<String> ownSettings() {
        return Set.of(Sampling.SETTING, AttachWindow.SETTING, HistogramScope.SETTING);
    }

    @Override
    protected void checkOwnSettings(Map<String, Object> settings) {
        Sampling.of(INFO.name(), settings, DEFAULT_SAMPLE_EVERY, UNIT);
        HistogramScope.of(INFO.name(), settings);
    }

    /** The sampling interval is a constant of the programs: the verifier then drops the sampling code at 1. */
    @Override
    protected void beforeLoad(BpfObject opened, Map<String, Object> settings) throws BpfException {
        Sampling configured = Sampling.of(INFO.name(), settings, DEFAULT_SAMPLE_EVERY, UNIT);
        configured.applyTo(opened);
        sampling = configured;
        AttachWindow window = AttachWindow.of(INFO.name(), settings, defaultWindow());
        attachedFraction = window == null ? 1 : window.fraction();
        scope = HistogramScope.of(INFO.name(), settings);
    }

    @Override
    protected List<String> eventTypes() {
        return EVENT_TYPES;
    }

    @Override
    protected boolean latencyEvents() {
        return true;
    }

    @Override
    protected void prepareEvents(BpfObject opened, KernelEventConfig config, ProbeContext context) {
        threshold = config.threshold();
    }

    @Override
    protected ProbeEvent event(KernelEventRecord r) {
        Map<String, Object> fields = KernelEventFields.tuple(r);
        String phase = r.phase() < PHASES.size() ? PHASES.get(r.phase()) : "unknown";
        fields.put("device", r.device());
        fields.put("phase", phase);
        fields.put("latency_seconds", KernelEventFields.seconds(r.value()));
        fields.put("cpu", r.cpu());
        String packet = fields.containsKey("saddr") ? " (" + fields.getOrDefault("protocol", "ip") + " "
                + KernelEventFields.endpoint(fields, "s") + " -> " + KernelEventFields.endpoint(fields, "d") + ")" : "";
        String what = phase.equals("xmit") ? "the driver's transmit call took " : "waited in the transmit path (qdisc) ";
        return new ProbeEvent(EventTypes.TX_LATENCY_SLOW, INFO.name(), r.netns(), fields,
                "packet on " + r.device() + packet + ": " + what + KernelEventFields.duration(r.value()) + " on CPU "
                        + r.cpu() + ", over the threshold of " + KernelEventConfig.describe(threshold));
    }

    /** Between two windows: no timestamp of a packet queued in the last one may pair with this one's. */
    @Override
    protected void resetState(BpfObject object) throws BpfException {
        BpfMap states = object.map("cpu_states");
        states.update(new byte[Integer.BYTES], new byte[states.valueBufferSize()]);
        BpfMap queued = object.map("queued_skbs");
        for (byte[] key : queued.keys()) {
            queued.delete(key);
        }
    }

    @Override
    protected List<String> aggregateMaps() {
        return List.of(MAP);
    }

    @Override
    protected List<String> otherMaps() {
        return List.of("queued_skbs");
    }

    /** The kernel keys by (namespace, CPU << 8 | phase): a plain hash, see netiftx.bpf.c. Sums the CPUs. */
    @Override
    protected void export(AggregateSnapshot snapshot, MetricSink out) throws BpfException {
        Sampling current = sampling;
        out.gauge(SAMPLE_RATIO_METRIC, "Share of transmitted packets that podnet_netif_tx_latency_seconds observes "
                + "in each phase: 1 / probeSettings.netiftx.sampleEvery, times the share of time attached "
                + "(probeSettings.netiftx.window, 1 s in every 8 s by default). Divide its _count by this to estimate packets.",
                current.ratio() * attachedFraction);
        HistogramScope.Histograms latency = scope.histograms(METRIC,
                "Device transmit latency: qdisc (dev_queue_xmit until the driver gets the packet) and xmit "
                        + "(the driver's transmit call); node-wide, or by the transmitting device's namespace with "
                        + "probeSettings.netiftx.perPodHistograms: true. Sampled: one packet in "
                        + "probeSettings.netiftx.sampleEvery (default " + DEFAULT_SAMPLE_EVERY + ") per phase, in "
                        + "windows of time, so _count counts sampled packets; see " + SAMPLE_RATIO_METRIC + ".");
        for (Map.Entry<NetnsAggregates.Key, HistogramData> e
                : snapshot.histograms(MAP, LatencyHistograms.NANOSECOND).entrySet()) {
            int phase = e.getKey().label() & PHASE_MASK;
            latency.add(e.getKey().netns(), LatencyHistograms.trimmed(e.getValue()),
                    "phase", phase < PHASES.size() ? PHASES.get(phase) : "unknown");
        }
        latency.writeTo(out);
    }
}
