package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.Btf;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.probe.ProbeUnavailableException;
import java.util.List;
import java.util.Map;

/**
 * Packets the kernel dropped, per namespace and drop reason (skb:kfree_skb). A drop belongs to the
 * namespace of the packet's device, or of its socket when it has no device yet, or (Linux 6.11+) of the
 * receiving socket the kernel names with the drop: TCP's receive path drops segments that carry neither
 * a device nor a socket any more. A drop with none of them is node-wide. Normal frees
 * (consume_skb, SKB_CONSUMED) are not drops and are not counted. Reason names come from the running
 * kernel's BTF at start, so new kernels' reasons are named without a podnet release.
 */
public final class PacketLossProbe extends KernelAggregateProbe {
    private static final ProbeInfo INFO = new ProbeInfo("packetloss", ProbeSource.BPF, Overhead.LOW, true, false, true,
            "Packets dropped by the kernel, by drop reason (tracepoint skb:kfree_skb, Linux 5.17+)");
    private static final String MAP = "drops";
    private static final String TRACEPOINT = "kfree_skb";

    private volatile DropReasons reasons;
    /** Whether the kernel's tracepoint passes the receiving socket (rx_sk) as a fourth argument. */
    private volatile boolean namesReceiver;

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    protected String objectFile() {
        return "packetloss.bpf.o";
    }

    @Override
    protected List<TracepointHooks.Hook> hooks() {
        String program = namesReceiver ? "on_kfree_skb_rx_sk" : "on_kfree_skb";
        return List.of(new TracepointHooks.Hook(program, "skb/" + TRACEPOINT));
    }

    @Override
    protected List<String> aggregateMaps() {
        return List.of(MAP);
    }

    @Override
    protected void prepare() throws ProbeUnavailableException, BpfException {
        try (Btf btf = Btf.loadVmlinux()) {
            Map<Long, String> names = btf.enumValues(DropReasons.ENUM);
            if (names.isEmpty()) {
                throw new ProbeUnavailableException("kernel BTF has no enum " + DropReasons.ENUM
                        + ": kfree_skb reports no drop reasons before Linux 5.17");
            }
            reasons = new DropReasons(names, btf.enumValues(DropReasons.SUBSYSTEM_ENUM));
            namesReceiver = btf.tracepointArity(TRACEPOINT) >= 4;
        }
    }

    @Override
    protected void export(AggregateSnapshot snapshot, MetricSink out) throws BpfException {
        DropReasons names = reasons;
        for (Map.Entry<NetnsAggregates.Key, Long> e : snapshot.counters(MAP).entrySet()) {
            sinkFor(out, e.getKey().netns()).counter("podnet_packet_drops_total",
                    "Packets the kernel dropped, by drop reason (enum skb_drop_reason without its SKB_DROP_REASON_ prefix).",
                    e.getValue(), "reason", names.name(Integer.toUnsignedLong(e.getKey().label())));
        }
    }
}
