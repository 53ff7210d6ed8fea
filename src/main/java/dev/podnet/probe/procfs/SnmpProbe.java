package dev.podnet.probe.procfs;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.procfs.ProcText;
import dev.podnet.procfs.SnmpParser;
import java.util.Set;

/**
 * IP, ICMP, TCP and UDP MIB counters of each namespace, from its {@code net/snmp}, as
 * {@code podnet_snmp_<group>_<field>_total} ({@code podnet_snmp_tcp_retrans_segs_total}). By default
 * the Tcp, Udp, Ip and Icmp totals and errors, and IcmpMsg; {@code probeSettings.snmp.fields} picks
 * others (see {@link FieldSelection}).
 */
public final class SnmpProbe extends MibProbe {
    private static final ProbeInfo INFO = new ProbeInfo("snmp", ProbeSource.PROCFS, Overhead.LOW, true, true, false,
            "IP, ICMP, TCP, UDP MIB counters per namespace (net/snmp)");
    /** The fields of net/snmp that are settings or levels rather than counts (RFC 4022, RFC 4293). */
    static final Set<String> GAUGES = Set.of("Ip Forwarding", "Ip DefaultTTL", "Tcp RtoAlgorithm", "Tcp RtoMin",
            "Tcp RtoMax", "Tcp MaxConn", "Tcp CurrEstab");
    /**
     * 32 of the kernel's 83 on 6.18 (IcmpMsg has one pair per ICMP type seen): the volume and trouble counters of IP, ICMP, TCP and UDP.
     * Left out by default: the settings (Forwarding, DefaultTTL, the Rto* and MaxConn constants); the
     * checksum and memory errors that InErrs and InErrors already count; reassembly and fragment totals
     * (their failures stay); UdpLite (almost never used, and on its way out of the kernel); the
     * per-type Icmp counters that IcmpMsg already gives for the types actually seen.
     */
    static final String DEFAULT_FIELDS = "Ip_(InReceives|InHdrErrors|InAddrErrors|ForwDatagrams|InDiscards|InDelivers"
            + "|OutRequests|OutDiscards|OutNoRoutes|ReasmFails|FragFails)"
            + "|Icmp_(InMsgs|InErrors|OutMsgs|OutErrors)"
            + "|IcmpMsg_.*"
            + "|Tcp_(ActiveOpens|PassiveOpens|AttemptFails|EstabResets|CurrEstab|InSegs|OutSegs|RetransSegs|InErrs|OutRsts)"
            + "|Udp_(InDatagrams|NoPorts|InErrors|OutDatagrams|RcvbufErrors|SndbufErrors)";

    public SnmpProbe() {
        super(INFO, "snmp", "/proc/net/snmp", GAUGES, DEFAULT_FIELDS);
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        emit(reader.read("net/snmp"), metrics(), out);
    }

    /** Shared with netstat, whose file has the same shape. */
    static void emit(byte[] bytes, MibMetrics metrics, MetricSink out) {
        if (bytes == null) {
            return;
        }
        SnmpParser.Snmp snmp = SnmpParser.parse(ProcText.ascii(bytes));
        out.parseErrors(snmp.malformedLines());
        for (SnmpParser.Section section : snmp.sections()) {
            MibMetrics.Spec[] specs = metrics.specs(section.header());
            double[] values = section.values();
            for (int i = 0; i < values.length; i++) {
                specs[i].emit(out, values[i]);
            }
        }
    }
}
