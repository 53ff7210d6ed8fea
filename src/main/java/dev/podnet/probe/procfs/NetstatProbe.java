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
 * the fields that tell of trouble or volume (listen queue overflows, drops, aborts, timeouts, retransmits,
 * zero windows, SYN cookies, memory pressure, octets); {@code probeSettings.netstat.fields} picks others
 * (see {@link FieldSelection}).
 */
public final class NetstatProbe extends MibProbe {
    private static final ProbeInfo INFO = new ProbeInfo("netstat", ProbeSource.PROCFS, Overhead.LOW, true, true, false,
            "Extended TCP, IP and MPTCP counters per namespace (net/netstat)");
    /** MPCurrEstab counts the MPTCP connections open now, like Tcp CurrEstab: a level. */
    private static final Set<String> GAUGES = Set.of("MPTcpExt MPCurrEstab");
    /**
     * About 60 of the kernel's 230 (6.18): TcpExt's counts of things going wrong and of recovery work,
     * IpExt's volume and errors, and whether MPTCP is in use at all. TCPPrequeued exists only on old
     * kernels (before 4.14).
     */
    static final String DEFAULT_FIELDS = "TcpExt_(SyncookiesSent|SyncookiesRecv|SyncookiesFailed|EmbryonicRsts"
            + "|PruneCalled|RcvPruned|OfoPruned|TW|TWRecycled|TWKilled|PAWSEstab|DelayedACKs|DelayedACKLost"
            + "|ListenOverflows|ListenDrops|TCPLostRetransmit|TCPFastRetrans|TCPSlowStartRetrans|TCPTimeouts"
            + "|TCPLossProbes|TCPLossProbeRecovery|TCPAbortOnData|TCPAbortOnClose|TCPAbortOnMemory|TCPAbortOnTimeout"
            + "|TCPAbortOnLinger|TCPAbortFailed|TCPMemoryPressures|TCPSpuriousRTOs|TCPBacklogDrop|PFMemallocDrop"
            + "|TCPMinTTLDrop|TCPDeferAcceptDrop|TCPTimeWaitOverflow|TCPReqQFullDoCookies|TCPReqQFullDrop"
            + "|TCPRetransFail|TCPOFOQueue|TCPOFODrop|TCPChallengeACK|TCPSYNChallenge|TCPFromZeroWindowAdv"
            + "|TCPToZeroWindowAdv|TCPWantZeroWindowAdv|TCPSynRetrans|TCPOrigDataSent|TCPKeepAlive"
            + "|TCPZeroWindowDrop|TCPRcvQDrop|TCPWqueueTooBig|TCPPrequeued)"
            + "|IpExt_(InNoRoutes|InTruncatedPkts|InOctets|OutOctets|InCsumErrors)"
            + "|MPTcpExt_(MPCurrEstab|MPCapableSYNRX|MPCapableSYNTX|MPCapableFallbackACK|MPCapableFallbackSYNACK|MPTCPRetrans)";

    public NetstatProbe() {
        super(INFO, "netstat", "/proc/net/netstat", GAUGES, DEFAULT_FIELDS);
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        SnmpProbe.emit(reader.read("net/netstat"), metrics(), out);
    }
}
