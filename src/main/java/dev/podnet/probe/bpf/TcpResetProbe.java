package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.Btf;
import dev.podnet.probe.EventTypes;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.util.List;
import java.util.Map;

/**
 * TCP resets sent and received per namespace and socket state (tcp:tcp_send_reset,
 * tcp:tcp_receive_reset). A reset that answered a packet matching no socket (a closed port) has state
 * {@code NO_SOCKET} and belongs to the namespace the packet arrived in.
 *
 * <p>Events, one per reset (tuple from the namespace's side: saddr/sport local, daddr/dport the peer):
 * {@code TCP_RESET_NO_SOCKET} (a reset sent for a segment no socket took; the tuple is that segment's,
 * reversed), {@code TCP_RESET_ACTIVE} (a reset sent by a socket: aborting its connection, or answering a
 * segment it could not take, e.g. in TIME_WAIT; with the kernel's reason since Linux 6.10) and
 * {@code TCP_RESET_RECEIVED} (with the socket's state).
 */
public final class TcpResetProbe extends KernelAggregateProbe {
    private static final ProbeInfo INFO = new ProbeInfo("tcpreset", ProbeSource.BPF, Overhead.LOW, true, false, true,
            "TCP resets sent and received by socket state (tracepoints tcp:tcp_send_reset, tcp:tcp_receive_reset)");
    private static final String MAP = "resets";
    private static final List<String> DIRECTIONS = List.of("sent", "received");
    private static final String SEND_RESET = "tcp_send_reset";
    /** Event kinds, as tcpreset.bpf.c numbers them. */
    private static final List<String> EVENT_TYPES = List.of(EventTypes.TCP_RESET_NO_SOCKET, EventTypes.TCP_RESET_ACTIVE,
            EventTypes.TCP_RESET_RECEIVED);
    private static final long REASON_UNKNOWN = 0xffffffffL;
    private static final int SENT_ABORT = 1;
    static final String RESET_REASON_ENUM = "sk_rst_reason";

    /** Whether the kernel's tcp_send_reset passes its reason (enum sk_rst_reason) as a third argument. */
    private volatile boolean passesReason;
    private volatile KernelEnumNames reasons = KernelEnumNames.NONE;

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    protected String objectFile() {
        return "tcpreset.bpf.o";
    }

    @Override
    protected void prepare() throws BpfException {
        try (Btf btf = Btf.loadVmlinux()) {
            passesReason = btf.tracepointArity(SEND_RESET) >= 3;
            reasons = new KernelEnumNames(btf.enumValues(RESET_REASON_ENUM), "SK_RST_REASON_");
        }
    }

    @Override
    protected List<TracepointHooks.Hook> hooks() {
        return List.of(new TracepointHooks.Hook(passesReason ? "on_tcp_send_reset_reason" : "on_tcp_send_reset",
                        "tcp/" + SEND_RESET),
                new TracepointHooks.Hook("on_tcp_receive_reset", "tcp/tcp_receive_reset"));
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
    protected ProbeEvent event(KernelEventRecord r) {
        String type = EVENT_TYPES.get(r.kind());
        Map<String, Object> fields = KernelEventFields.tuple(r);
        String local = KernelEventFields.endpoint(fields, "s");
        String peer = KernelEventFields.endpoint(fields, "d");
        String state = TcpStates.name(r.state());
        if (r.state() != 0) {
            fields.put("state", state);
        }
        String reason = r.reason() == REASON_UNKNOWN || type.equals(EventTypes.TCP_RESET_RECEIVED) ? null
                : reasons.name(r.reason());
        if (reason != null) {
            fields.put("reason", reason);
        }
        String because = reason == null ? "" : " (" + reason + ")";
        String message = switch (type) {
            case EventTypes.TCP_RESET_NO_SOCKET -> "reset sent from " + local + " to " + peer
                    + ": no socket took the segment" + because;
            case EventTypes.TCP_RESET_ACTIVE -> r.phase() == SENT_ABORT
                    ? "socket " + local + " aborted its connection to " + peer + " with a reset in " + state + because
                    : "socket " + local + " in " + state + " answered a segment from " + peer + " with a reset" + because;
            default -> "reset received by " + local + " from " + peer + " in " + state;
        };
        return new ProbeEvent(type, INFO.name(), r.netns(), fields, message);
    }

    @Override
    protected void export(AggregateSnapshot snapshot, MetricSink out) throws BpfException {
        for (Map.Entry<NetnsAggregates.Key, Long> e : snapshot.counters(MAP).entrySet()) {
            int label = e.getKey().label();
            int direction = label >>> 8;
            int state = label & 0xff;
            sinkFor(out, e.getKey().netns()).counter("podnet_tcp_resets_total",
                    "TCP resets sent and received, by the socket's TCP state (NO_SOCKET: a reset answering a packet "
                            + "that matched no socket, such as a connection attempt to a closed port).",
                    e.getValue(), "direction", direction < DIRECTIONS.size() ? DIRECTIONS.get(direction) : "unknown",
                    "state", state == 0 ? "NO_SOCKET" : TcpStates.name(state));
        }
    }
}
