package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Socket buffer limits hit, per namespace (sock:sock_rcvqueue_full, sock:sock_exceed_buf_limit). The
 * metric names keep the tracepoints' names, as procfs metrics keep the kernel's, so the kernel's
 * documentation and source can be searched for them. Several kernel sockets may map to one label set
 * (IPv4 and IPv6 raw sockets are both "raw"), so values are summed per label set before export.
 */
public final class SockBufProbe extends KernelAggregateProbe {
    private static final ProbeInfo INFO = new ProbeInfo("sockbuf", ProbeSource.BPF, Overhead.LOW, true, false, true,
            "Packets dropped at a full socket receive queue and refused socket memory allocations, per namespace "
                    + "(tracepoints sock:sock_rcvqueue_full, sock:sock_exceed_buf_limit)");
    static final String RCVQUEUE_FULL = "podnet_sock_rcvqueue_full_total";
    static final String EXCEED_BUF_LIMIT = "podnet_sock_exceed_buf_limit_total";
    private static final String RCVQUEUE_MAP = "rcvqueue_full";
    private static final String EXCEED_MAP = "exceed_buf_limit";

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    protected String objectFile() {
        return "sockbuf.bpf.o";
    }

    @Override
    protected List<TracepointHooks.Hook> hooks() {
        return List.of(
                new TracepointHooks.Hook("on_sock_rcvqueue_full", "sock/sock_rcvqueue_full"),
                new TracepointHooks.Hook("on_sock_exceed_buf_limit", "sock/sock_exceed_buf_limit"));
    }

    @Override
    protected List<String> aggregateMaps() {
        return List.of(RCVQUEUE_MAP, EXCEED_MAP);
    }

    private record Series(long netns, String protocol, String kind) {
    }

    @Override
    protected void export(AggregateSnapshot snapshot, MetricSink out) throws BpfException {
        Map<Series, Long> full = new LinkedHashMap<>();
        for (Map.Entry<NetnsAggregates.Key, Long> e : snapshot.counters(RCVQUEUE_MAP).entrySet()) {
            int label = e.getKey().label();
            full.merge(new Series(e.getKey().netns(), SockLabels.protocolName(label), null), e.getValue(), Long::sum);
        }
        for (Map.Entry<Series, Long> e : full.entrySet()) {
            sinkFor(out, e.getKey().netns()).counter(RCVQUEUE_FULL,
                    "Packets dropped because the socket's receive queue was full (SO_RCVBUF reached), for sockets "
                            + "that queue through sock_queue_rcv_skb (ICMP ping, L2TP, CAN...; UDP and TCP drops are in "
                            + "podnet_snmp_udp_rcvbuf_errors_total and TcpExt counters).",
                    e.getValue(), "protocol", e.getKey().protocol());
        }
        Map<Series, Long> exceeded = new LinkedHashMap<>();
        for (Map.Entry<NetnsAggregates.Key, Long> e : snapshot.counters(EXCEED_MAP).entrySet()) {
            int label = e.getKey().label();
            exceeded.merge(new Series(e.getKey().netns(), SockLabels.protocolName(label), SockLabels.memoryKind(label)),
                    e.getValue(), Long::sum);
        }
        for (Map.Entry<Series, Long> e : exceeded.entrySet()) {
            sinkFor(out, e.getKey().netns()).counter(EXCEED_BUF_LIMIT,
                    "Socket memory allocations refused because the protocol's memory limit (tcp_mem, udp_mem) or "
                            + "the socket's memory cgroup limit was reached, by kind (send or receive).",
                    e.getValue(), "protocol", e.getKey().protocol(), "kind", e.getKey().kind());
        }
    }
}
