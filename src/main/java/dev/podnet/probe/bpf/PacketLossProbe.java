package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfObject;
import dev.podnet.bpf.Btf;
import dev.podnet.probe.EventTypes;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.probe.ProbeUnavailableException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Packets the kernel dropped, per namespace and drop reason (skb:kfree_skb). A drop belongs to the
 * namespace of the packet's device, or of its socket when it has no device yet, or (Linux 6.11+) of the
 * receiving socket the kernel names with the drop: TCP's receive path drops segments that carry neither
 * a device nor a socket any more. A drop with none of them is node-wide. Normal frees
 * (consume_skb, SKB_CONSUMED) are not drops and are not counted. Reason names come from the running
 * kernel's BTF at start, so new kernels' reasons are named without a podnet release.
 *
 * <p>Event {@code PACKET_DROP}, one per drop of a reason {@link DropEventReasons} selects (all but routine
 * ones, and none of packets to multicast or broadcast addresses, by default): the reason, where the kernel dropped it ({@code location}, the caller of kfree_skb as
 * {@code function+0xoffset} from /proc/kallsyms), the device it was on, and when the packet has an IP
 * header its tuple in the packet's own direction (saddr/sport its source).
 */
public final class PacketLossProbe extends KernelAggregateProbe {
    private static final ProbeInfo INFO = new ProbeInfo("packetloss", ProbeSource.BPF, Overhead.LOW, true, false, true,
            "Packets dropped by the kernel, by drop reason (tracepoint skb:kfree_skb, Linux 5.17+)");
    private static final String MAP = "drops";
    private static final String TRACEPOINT = "kfree_skb";
    private static final Logger LOG = Logger.getLogger(PacketLossProbe.class.getName());
    private static final List<String> EVENT_TYPES = List.of(EventTypes.PACKET_DROP);
    private static final String REASONS_DATA = ".data.reasons";

    private volatile DropReasons reasons;
    /** Whether the kernel's tracepoint passes the receiving socket (rx_sk) as a fourth argument. */
    private volatile boolean namesReceiver;
    private volatile KernelSymbols symbols;

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
    protected List<String> eventTypes() {
        return EVENT_TYPES;
    }

    @Override
    protected Set<String> ownSettings() {
        return Set.of(DropEventReasons.SETTING, DropEventReasons.MULTICAST_SETTING);
    }

    @Override
    protected void checkOwnSettings(Map<String, Object> settings) {
        DropEventReasons.of(settings);
    }

    @Override
    protected void prepareEvents(BpfObject opened, KernelEventConfig config, ProbeContext context) throws BpfException {
        DropEventReasons selected = DropEventReasons.of(context.settings());
        List<String> unknown = selected.unknown(reasons);
        if (!unknown.isEmpty()) {
            LOG.warning("probeSettings.packetloss." + DropEventReasons.SETTING + ": this kernel has no drop reasons "
                    + unknown + "; they make no events here");
        }
        opened.map(REASONS_DATA).setInitialValue(selected.slots(reasons));
        symbols = new KernelSymbols(context.procRoot().resolve("kallsyms"));
    }

    @Override
    protected ProbeEvent event(KernelEventRecord r) {
        Map<String, Object> fields = KernelEventFields.tuple(r);
        String reason = reasons.name(r.reason());
        fields.put("reason", reason);
        String location = symbols.name(r.value());
        fields.put("location", location);
        if (!r.device().isEmpty()) {
            fields.put("device", r.device());
        }
        StringBuilder message = new StringBuilder("packet");
        if (fields.containsKey("saddr")) {
            message.append(' ').append(fields.getOrDefault("protocol", "ip")).append(' ')
                    .append(KernelEventFields.endpoint(fields, "s")).append(" -> ").append(KernelEventFields.endpoint(fields, "d"));
        }
        message.append(" dropped");
        if (!r.device().isEmpty()) {
            message.append(" on ").append(r.device());
        }
        message.append(": ").append(reason).append(" at ").append(location);
        return new ProbeEvent(EventTypes.PACKET_DROP, INFO.name(), r.netns(), fields, message.toString());
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
