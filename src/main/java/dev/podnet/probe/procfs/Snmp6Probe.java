package dev.podnet.probe.procfs;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.procfs.ProcText;
import dev.podnet.procfs.Snmp6Parser;
import java.util.Set;

/**
 * IPv6, ICMPv6 and UDP over IPv6 MIB counters of each namespace, from its {@code net/snmp6}
 * ({@code Ip6InReceives} -> {@code podnet_snmp6_ip6_in_receives_total}). Absent when IPv6 is disabled.
 */
public final class Snmp6Probe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("snmp6", ProbeSource.PROCFS, Overhead.LOW, true, true, false,
            "IPv6, ICMPv6, UDPv6 MIB counters per namespace (net/snmp6)");
    private static final MibMetrics METRICS = new MibMetrics("snmp6", "/proc/net/snmp6", Set.of());

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        byte[] bytes = reader.read("net/snmp6");
        if (bytes == null) {
            return;
        }
        Snmp6Parser.Snmp6 snmp6 = Snmp6Parser.parse(ProcText.ascii(bytes));
        out.parseErrors(snmp6.malformedLines());
        for (Snmp6Parser.Counter counter : snmp6.counters()) {
            MibMetrics.Spec spec = METRICS.cached(counter.name());
            if (spec == null) {
                String group = counter.group();
                spec = METRICS.spec(counter.name(), group, counter.name().substring(group.length()));
            }
            spec.emit(out, counter.value());
        }
    }
}
