package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfObject;
import dev.podnet.probe.EventTypes;
import dev.podnet.probe.HistogramData;
import dev.podnet.probe.HistogramScope;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TCP connections per namespace from the socket state machine (sock:inet_sock_set_state): connections
 * established actively (SYN_SENT -> ESTABLISHED) and passively (SYN_RECV -> ESTABLISHED), active opens
 * that failed (SYN_SENT -> CLOSE: refused, timed out, unreachable), and how long established
 * connections lived (ESTABLISHED until CLOSE) as a log2 histogram built in the kernel. The counters are
 * per namespace; the lifetime histogram is node-wide unless {@code perPodHistograms: true}
 * ({@link HistogramScope}).
 *
 * <p>Event {@code CONNECT_FAILED}, one per failed active open: the socket's tuple (saddr/sport the
 * connecting side) and as reason the socket's error ({@code ECONNREFUSED}: a reset came back;
 * {@code ETIMEDOUT}: no answer; {@code EHOSTUNREACH}...: an ICMP error; {@code CLOSED}: the application
 * gave up first).
 */
public final class TcpConnProbe extends KernelAggregateProbe {
    private static final ProbeInfo INFO = new ProbeInfo("tcpconn", ProbeSource.BPF, Overhead.LOW, true, false, true,
            "TCP connections opened, failed connects per namespace; connection lifetimes node-wide or per pod "
                    + "(tracepoint sock:inet_sock_set_state)");
    private static final String OPENS = "opens";
    private static final String FAILURES = "connect_failures";
    private static final String LIFETIMES = "lifetimes";
    private static final List<String> DIRECTIONS = List.of("active", "passive");
    /** The kernel measures lifetimes in microseconds. */
    private static final double MICROSECOND = 1e-6;

    private static final List<String> EVENT_TYPES = List.of(EventTypes.CONNECT_FAILED);

    private volatile HistogramScope scope = HistogramScope.of(INFO.name(), Map.of());

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    protected String objectFile() {
        return "tcpconn.bpf.o";
    }

    @Override
    protected List<TracepointHooks.Hook> hooks() {
        return List.of(new TracepointHooks.Hook("on_inet_sock_set_state", "sock/inet_sock_set_state"));
    }

    @Override
    protected Set<String> ownSettings() {
        return Set.of(HistogramScope.SETTING);
    }

    @Override
    protected void checkOwnSettings(Map<String, Object> settings) {
        HistogramScope.of(INFO.name(), settings);
    }

    @Override
    protected void beforeLoad(BpfObject opened, Map<String, Object> settings) {
        scope = HistogramScope.of(INFO.name(), settings);
    }

    @Override
    protected List<String> eventTypes() {
        return EVENT_TYPES;
    }

    @Override
    protected ProbeEvent event(KernelEventRecord r) {
        Map<String, Object> fields = KernelEventFields.tuple(r);
        fields.put("state", TcpStates.name(r.state()));
        String reason = SocketErrors.name((int) r.reason());
        fields.put("reason", reason);
        return new ProbeEvent(EventTypes.CONNECT_FAILED, INFO.name(), r.netns(), fields,
                "connect from " + KernelEventFields.endpoint(fields, "s") + " to " + KernelEventFields.endpoint(fields, "d")
                        + " failed: " + reason + SocketErrors.describe((int) r.reason()));
    }

    @Override
    protected List<String> aggregateMaps() {
        return List.of(OPENS, FAILURES, LIFETIMES);
    }

    @Override
    protected List<String> otherMaps() {
        return List.of("open_connections");
    }

    @Override
    protected void export(AggregateSnapshot snapshot, MetricSink out) throws BpfException {
        for (Map.Entry<NetnsAggregates.Key, Long> e : snapshot.counters(OPENS).entrySet()) {
            sinkFor(out, e.getKey().netns()).counter("podnet_tcp_connections_opened_total",
                    "TCP connections established: active (this side connected) or passive (accepted from a listener).",
                    e.getValue(), "direction", direction(e.getKey().label()));
        }
        for (Map.Entry<NetnsAggregates.Key, Long> e : snapshot.counters(FAILURES).entrySet()) {
            sinkFor(out, e.getKey().netns()).counter("podnet_tcp_connect_failures_total",
                    "Active TCP opens that never got established (refused, timed out, unreachable).", e.getValue());
        }
        HistogramScope.Histograms lifetimes = scope.histograms("podnet_tcp_connection_duration_seconds",
                "Lifetime of closed TCP connections, from established to closed; node-wide, or per namespace with "
                        + "probeSettings.tcpconn.perPodHistograms: true.");
        for (Map.Entry<NetnsAggregates.Key, HistogramData> e : snapshot.histograms(LIFETIMES, MICROSECOND).entrySet()) {
            lifetimes.add(e.getKey().netns(), e.getValue(), "direction", direction(e.getKey().label()));
        }
        lifetimes.writeTo(out);
    }

    private static String direction(int label) {
        return label >= 0 && label < DIRECTIONS.size() ? DIRECTIONS.get(label) : "unknown";
    }
}
