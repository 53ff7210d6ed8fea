package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.Btf;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.util.List;
import java.util.Map;

/**
 * TCP retransmissions per namespace and socket state, counted in the kernel at tcp:tcp_retransmit_skb.
 * It counts segments as the namespace's Tcp RetransSegs does (a TSO skb retransmitted at once carries
 * several), but only those of sockets it saw, so it never exceeds RetransSegs.
 */
public final class TcpRetransProbe extends KernelAggregateProbe {
    private static final ProbeInfo INFO = new ProbeInfo("tcpretrans", ProbeSource.BPF, Overhead.LOW, true, false, true,
            "TCP retransmitted segments by socket state (tracepoint tcp:tcp_retransmit_skb)");
    private static final String MAP = "retransmits";
    private static final String TRACEPOINT = "tcp_retransmit_skb";

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    protected String objectFile() {
        return "tcpretrans.bpf.o";
    }

    /** Whether the kernel's tracepoint passes the retransmission's error as a third argument. */
    private volatile boolean reportsErrors;

    @Override
    protected void prepare() throws BpfException {
        try (Btf btf = Btf.loadVmlinux()) {
            reportsErrors = btf.tracepointArity(TRACEPOINT) >= 3;
        }
    }

    @Override
    protected List<TracepointHooks.Hook> hooks() {
        String program = reportsErrors ? "on_tcp_retransmit_skb_err" : "on_tcp_retransmit_skb";
        return List.of(new TracepointHooks.Hook(program, "tcp/" + TRACEPOINT));
    }

    @Override
    protected List<String> aggregateMaps() {
        return List.of(MAP);
    }

    @Override
    protected void export(AggregateSnapshot snapshot, MetricSink out) throws BpfException {
        for (Map.Entry<NetnsAggregates.Key, Long> e : snapshot.counters(MAP).entrySet()) {
            sinkFor(out, e.getKey().netns()).counter("podnet_tcp_retransmits_total",
                    "TCP segments retransmitted (as Tcp RetransSegs counts them), by the socket's TCP state at the time.",
                    e.getValue(), "state", TcpStates.name(e.getKey().label()));
        }
    }
}
