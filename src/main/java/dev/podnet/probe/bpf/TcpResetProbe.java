package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.util.List;
import java.util.Map;

/**
 * TCP resets sent and received per namespace and socket state (tcp:tcp_send_reset,
 * tcp:tcp_receive_reset). A reset that answered a packet matching no socket (a closed port) has state
 * {@code NO_SOCKET} and belongs to the namespace the packet arrived in.
 */
public final class TcpResetProbe extends KernelAggregateProbe {
    private static final ProbeInfo INFO = new ProbeInfo("tcpreset", ProbeSource.BPF, Overhead.LOW, true, false, true,
            "TCP resets sent and received by socket state (tracepoints tcp:tcp_send_reset, tcp:tcp_receive_reset)");
    private static final String MAP = "resets";
    private static final List<String> DIRECTIONS = List.of("sent", "received");

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    protected String objectFile() {
        return "tcpreset.bpf.o";
    }

    @Override
    protected List<TracepointHooks.Hook> hooks() {
        return List.of(new TracepointHooks.Hook("on_tcp_send_reset", "tcp/tcp_send_reset"),
                new TracepointHooks.Hook("on_tcp_receive_reset", "tcp/tcp_receive_reset"));
    }

    @Override
    protected List<String> aggregateMaps() {
        return List.of(MAP);
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
