package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.util.List;
import java.util.Map;

/** TCP retransmissions per namespace and socket state, counted in the kernel at tcp:tcp_retransmit_skb. */
public final class TcpRetransProbe extends KernelAggregateProbe {
    private static final ProbeInfo INFO = new ProbeInfo("tcpretrans", ProbeSource.BPF, Overhead.LOW, false, false, true,
            "TCP retransmitted segments by socket state (tracepoint tcp:tcp_retransmit_skb)");
    private static final String MAP = "retransmits";

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    protected String objectFile() {
        return "tcpretrans.bpf.o";
    }

    @Override
    protected List<TracepointHooks.Hook> hooks() {
        return List.of(new TracepointHooks.Hook("on_tcp_retransmit_skb", "tcp/tcp_retransmit_skb"));
    }

    @Override
    protected List<String> aggregateMaps() {
        return List.of(MAP);
    }

    @Override
    protected void export(AggregateSnapshot snapshot, MetricSink out) throws BpfException {
        for (Map.Entry<NetnsAggregates.Key, Long> e : snapshot.counters(MAP).entrySet()) {
            sinkFor(out, e.getKey().netns()).counter("podnet_tcp_retransmits_total",
                    "TCP segments retransmitted, by the socket's TCP state at the time (tcp:tcp_retransmit_skb).",
                    e.getValue(), "state", TcpStates.name(e.getKey().label()));
        }
    }
}
