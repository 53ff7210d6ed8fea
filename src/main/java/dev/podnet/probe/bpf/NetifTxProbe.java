package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.probe.HistogramData;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Transmit latency of network devices, per namespace (net:net_dev_queue, net_dev_start_xmit,
 * net_dev_xmit): {@code phase="qdisc"} from dev_queue_xmit to the driver (queueing discipline,
 * segmentation, requeues), {@code phase="xmit"} the driver's transmit call. Series belong to the
 * namespace of the transmitting device. Runs for every packet, hence off by default.
 */
public final class NetifTxProbe extends KernelAggregateProbe {
    private static final ProbeInfo INFO = new ProbeInfo("netiftx", ProbeSource.BPF, Overhead.HIGH, false, false, true,
            "Device transmit latency, qdisc and driver phases, per namespace (tracepoints net:net_dev_queue, "
                    + "net_dev_start_xmit, net_dev_xmit; runs per packet)");
    static final String METRIC = "podnet_netif_tx_latency_seconds";
    private static final String MAP = "tx_latency";
    private static final List<String> PHASES = List.of("qdisc", "xmit");
    private static final int PHASE_MASK = 0xff;

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
        Map<NetnsAggregates.Key, HistogramData> histograms = new LinkedHashMap<>();
        for (Map.Entry<NetnsAggregates.Key, HistogramData> e
                : snapshot.histograms(MAP, LatencyHistograms.NANOSECOND).entrySet()) {
            NetnsAggregates.Key perCpu = e.getKey();
            histograms.merge(new NetnsAggregates.Key(perCpu.netns(), perCpu.label() & PHASE_MASK), e.getValue(),
                    LatencyHistograms::sum);
        }
        for (Map.Entry<NetnsAggregates.Key, HistogramData> e : histograms.entrySet()) {
            int label = e.getKey().label();
            sinkFor(out, e.getKey().netns()).histogram(METRIC,
                    "Device transmit latency: qdisc (dev_queue_xmit until the driver gets the packet) and xmit "
                            + "(the driver's transmit call), by the transmitting device's namespace.",
                    LatencyHistograms.trimmed(e.getValue()),
                    "phase", label >= 0 && label < PHASES.size() ? PHASES.get(label) : "unknown");
        }
    }
}
