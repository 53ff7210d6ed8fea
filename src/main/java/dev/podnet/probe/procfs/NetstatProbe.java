package dev.podnet.probe.procfs;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.util.Set;

/**
 * The kernel's extended MIB counters of each namespace, from its {@code net/netstat}: TcpExt, IpExt and
 * MPTcpExt (when the kernel has MPTCP), every field it prints
 * ({@code podnet_netstat_tcpext_listen_overflows_total}).
 */
public final class NetstatProbe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("netstat", ProbeSource.PROCFS, Overhead.LOW, true, true, false,
            "Extended TCP, IP and MPTCP counters per namespace (net/netstat)");
    /** MPCurrEstab counts the MPTCP connections open now, like Tcp CurrEstab: a level. */
    private static final MibMetrics METRICS = new MibMetrics("netstat", "/proc/net/netstat", Set.of("MPTcpExt MPCurrEstab"));

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        SnmpProbe.emit(reader.read("net/netstat"), METRICS, out);
    }
}
