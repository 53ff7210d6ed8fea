package dev.podnet.probe.procfs;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.util.Set;

/**
 * The kernel's extended MIB counters of each namespace, from its {@code net/netstat}: TcpExt, IpExt and
 * MPTcpExt (when the kernel has MPTCP) ({@code podnet_netstat_tcpext_listen_overflows_total}). By default
 * the fields that tell of trouble (listen queue overflows, drops, aborts, timeouts, retransmits, zero
 * windows, SYN cookies, memory pressure); {@code probeSettings.netstat.fields} picks others (see
 * {@link FieldSelection}).
 */
public final class NetstatProbe extends MibProbe {
    private static final ProbeInfo INFO = new ProbeInfo("netstat", ProbeSource.PROCFS, Overhead.LOW, true, true, false,
            "Extended TCP, IP and MPTCP counters per namespace (net/netstat)");
    /** MPCurrEstab counts the MPTCP connections open now, like Tcp CurrEstab: a level. */
    private static final Set<String> GAUGES = Set.of("MPTcpExt MPCurrEstab");
    /**
     * 25 of the kernel's 229 on 6.18: TcpExt's counts of things going wrong (listen queue overflows
     * and drops, SYN cookies, timeouts and retransmits, aborts, memory pressure and receive-queue drops,
     * zero windows, TIME-WAIT overflows), IpExt's errors, and whether MPTCP is in use at all. Left out by
     * default: octets (net/dev has each device's bytes), the counts of ordinary work (delayed ACKs, SACK
     * and recovery details, keepalives, data segments sent) and the rest of MPTcpExt.
     */
    static final String DEFAULT_FIELDS = "TcpExt_(ListenOverflows|ListenDrops|SyncookiesSent|TCPReqQFullDrop"
            + "|TCPTimeouts|TCPLossProbes|TCPFastRetrans|TCPSynRetrans|TCPSpuriousRTOs"
            + "|TCPAbortOnData|TCPAbortOnClose|TCPAbortOnMemory|TCPAbortOnTimeout"
            + "|TCPMemoryPressures|TCPBacklogDrop|TCPRcvQDrop|PruneCalled|TCPOFODrop"
            + "|TCPZeroWindowDrop|TCPToZeroWindowAdv|TCPTimeWaitOverflow)"
            + "|IpExt_(InNoRoutes|InTruncatedPkts|InCsumErrors)"
            + "|MPTcpExt_MPCurrEstab";

    public NetstatProbe() {
        super(INFO, "netstat", "/proc/net/netstat", GAUGES, DEFAULT_FIELDS);
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        SnmpProbe.emit(reader.read("net/netstat"), metrics(), out);
    }
}
