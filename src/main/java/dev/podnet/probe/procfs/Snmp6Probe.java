package dev.podnet.probe.procfs;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.procfs.ProcText;
import dev.podnet.procfs.Snmp6Parser;
import java.util.Set;

/**
 * IPv6, ICMPv6 and UDP over IPv6 MIB counters of each namespace, from its {@code net/snmp6}
 * ({@code Ip6InReceives} -> {@code podnet_snmp6_ip6_in_receives_total}). Absent when IPv6 is disabled.
 * By default the Udp6, Ip6 and Icmp6 totals and errors; {@code probeSettings.snmp6.fields}
 * picks others, over names split into group and field ({@code Ip6_InReceives}, see {@link FieldSelection}).
 */
public final class Snmp6Probe extends MibProbe {
    private static final ProbeInfo INFO = new ProbeInfo("snmp6", ProbeSource.PROCFS, Overhead.LOW, true, true, false,
            "IPv6, ICMPv6, UDPv6 MIB counters per namespace (net/snmp6)");
    /**
     * 22 of the kernel's 90 on 6.18, as for IPv4 in snmp. Left out by default: octets (net/dev has
     * each device's bytes), multicast, broadcast and ECN counts, reassembly and fragment totals, the
     * checksum and memory errors that InErrors already counts, per-message-type ICMPv6 (neighbour
     * discovery and MLD alone make four of them in every namespace with IPv6), UdpLite6.
     */
    static final String DEFAULT_FIELDS = "Ip6_(InReceives|InHdrErrors|InAddrErrors|InNoRoutes|InDiscards|InDelivers"
            + "|OutForwDatagrams|OutRequests|OutDiscards|OutNoRoutes)"
            + "|Icmp6_(InMsgs|InErrors|OutMsgs|OutErrors|InDestUnreachs|InPktTooBigs)"
            + "|Udp6_(InDatagrams|NoPorts|InErrors|OutDatagrams|RcvbufErrors|SndbufErrors)";

    public Snmp6Probe() {
        super(INFO, "snmp6", "/proc/net/snmp6", Set.of(), DEFAULT_FIELDS);
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        byte[] bytes = reader.read("net/snmp6");
        if (bytes == null) {
            return;
        }
        Snmp6Parser.Snmp6 snmp6 = Snmp6Parser.parse(ProcText.ascii(bytes));
        out.parseErrors(snmp6.malformedLines());
        MibMetrics current = metrics();
        for (Snmp6Parser.Counter counter : snmp6.counters()) {
            MibMetrics.Spec spec = current.cached(counter.name());
            if (spec == null) {
                String group = counter.group();
                spec = current.spec(counter.name(), group, counter.name().substring(group.length()));
            }
            spec.emit(out, counter.value());
        }
    }
}
